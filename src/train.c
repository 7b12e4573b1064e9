/*
 * train.c — the training driver: one reader (the calling thread) turns the
 * corpus into chunks of word ids and feeds them through a bounded queue to
 * N hogwild worker threads.
 *
 * A chunk holds whole sentences (a sentence is cut at THETA_MAX_SENTENCE
 * tokens), separated by id 0 (</s>). Each chunk is trained with an RNG
 * seeded from (seed, epoch, chunk number), so with one thread a run is
 * bit-for-bit reproducible, and a resumed run (which skips the chunks it
 * already trained) equals an uninterrupted one. The learning rate decays
 * linearly with the shared count of words processed, with a floor; each
 * worker computes it itself (nothing shared is written per word).
 */
#include "internal.h"
#include "kernel.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_WORDS 10000
#define CHUNK_CAPACITY (CHUNK_WORDS + THETA_MAX_SENTENCE + 2)

typedef struct {
    int32_t ids[CHUNK_CAPACITY];
    int32_t n;
    int64_t number; /* position in the epoch, from 0 */
    int64_t words;  /* in-vocabulary tokens read, sentence ends included */
} chunk;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    chunk **items;
    int cap, head, count;
    int closed;
} queue;

static int queue_init(queue *q, int cap)
{
    memset(q, 0, sizeof *q);
    q->items = theta__alloc((size_t)cap, sizeof *q->items);
    if (!q->items)
        return -1;
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->changed, NULL);
    return 0;
}

static void queue_destroy(queue *q)
{
    free(q->items);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->changed);
}

static void queue_push(queue *q, chunk *c)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->cap)
        pthread_cond_wait(&q->changed, &q->mu);
    q->items[(q->head + q->count) % q->cap] = c;
    q->count++;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

/* NULL once the queue is closed and empty. */
static chunk *queue_pop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->changed, &q->mu);
    chunk *c = NULL;
    if (q->count > 0) {
        c = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->mu);
    return c;
}

static void queue_close(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

/* Blocks until `want` chunks are back in the queue (every worker idle). */
static void queue_wait_count(queue *q, int want)
{
    pthread_mutex_lock(&q->mu);
    while (q->count < want)
        pthread_cond_wait(&q->changed, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

/* Word ids from the corpus, looked up THETA_VOCAB_BATCH words at a time so
 * the lookups' cache misses overlap. */
typedef struct {
    theta_reader *r;
    const theta_vocab *v;
    const char *words[THETA_VOCAB_BATCH];
    uint32_t lens[THETA_VOCAB_BATCH];
    int32_t ids[THETA_VOCAB_BATCH];
    int n, pos;
    int end; /* 1: the reader reached the end, -1: it failed */
} id_stream;

/* 1 with *id (-1 for a word outside the vocabulary), 0 at the end, -1 on error. */
static int next_id(id_stream *s, int32_t *id)
{
    if (s->pos == s->n) {
        s->pos = 0;
        s->n = s->end ? 0 : theta_reader_next_batch(s->r, s->words, s->lens, THETA_VOCAB_BATCH);
        if (s->n <= 0) {
            if (!s->end)
                s->end = s->n == 0 ? 1 : -1;
            s->n = 0;
            return s->end > 0 ? 0 : -1;
        }
        theta_vocab_find_batch(s->v, s->words, s->lens, s->n, s->ids);
    }
    *id = s->ids[s->pos++];
    return 1;
}

typedef struct trainer {
    theta_model *m;
    theta__tables tables;
    const theta__kernel *kernel;
    uint32_t *keep;          /* (V) subsampling: keep a word if rng32 < keep[w]; UINT32_MAX = always */
    int epoch;               /* 0-based epoch in progress */
    int64_t total_words;     /* epochs * words per epoch */
    _Atomic int64_t words_done;
    atomic_int failed;       /* a worker diverged or ran out of memory */
    queue full, empty;
    pthread_mutex_t stats_mu;
    double loss;             /* since the last report / over the epoch, under stats_mu */
    int64_t examples;
    double epoch_loss;
    int64_t epoch_examples;
    int64_t epoch_products;  /* kernel products this epoch (this run's part), under stats_mu */
    theta_divergence divergence;
    double last_checkpoint;  /* time of the last checkpoint (or of the start) */
    double last_sync;        /* time of the last hooks->sync (or of the start) */
    int64_t synced_words;    /* words_done as of the last sync, all processes */
    uint64_t stream;         /* hooks->stream */
} trainer;

static _Thread_local theta_divergence last_divergence;

theta_divergence theta_train_divergence(void)
{
    return last_divergence;
}

static float learning_rate(const trainer *t, int64_t words_done)
{
    const theta_config *c = &t->m->cfg;
    double a = c->alpha * (1.0 - (double)words_done / (double)(t->total_words + 1));
    double floor = c->alpha * c->min_alpha_ratio;
    return (float)(a < floor ? floor : a);
}

/* Subsampling (word2vec's formula): keep w with probability
 * (sqrt(f / (s T)) + 1) * (s T) / f, f = count, T = words per epoch. */
static int build_keep(trainer *t)
{
    const theta_vocab *v = t->m->vocab;
    t->keep = theta__alloc((size_t)v->size, sizeof *t->keep);
    if (!t->keep)
        return -1;
    double st = t->m->cfg.sample * (double)t->m->state.train_words;
    for (int32_t i = 0; i < v->size; i++) {
        double f = (double)v->entries[i].count;
        double p = (t->m->cfg.sample > 0 && f > 0) ? (sqrt(f / st) + 1.0) * st / f : 1.0;
        t->keep[i] = p >= 1.0 ? UINT32_MAX : (uint32_t)(p * 4294967296.0);
    }
    return 0;
}

/* One cache line or more each: a worker writes its rng state and loss on
 * every example, and must not share a line with the next worker's fields. */
typedef struct {
    _Alignas(64) trainer *t;
    theta__worker w;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *a = p;
    trainer *t = a->t;
    theta__worker *w = &a->w;
    const theta_model *m = t->m;
    int32_t sen[THETA_MAX_SENTENCE];
    const theta__sentence_fn sentence = t->kernel->sentence[m->cfg.kernel];
    chunk *c;
    while ((c = queue_pop(&t->full)) != NULL) {
        if (atomic_load(&t->failed)) {
            queue_push(&t->empty, c);
            continue;
        }
        uint64_t seed = m->cfg.seed + t->stream * 0x9e3779b97f4a7c15ULL;
        theta_rng_seed(&w->rng, theta_seed_mix(seed, (uint64_t)t->epoch, (uint64_t)c->number));
        int64_t base = atomic_load(&t->words_done);
        int64_t local = 0;
        w->loss = 0;
        w->examples = 0;
        w->products = 0;
        int len = 0;
        for (int32_t i = 0; i < c->n && !w->diverged; i++) {
            int32_t id = c->ids[i];
            if (id != 0) {
                local++;
                uint32_t k = t->keep[id];
                if (k == UINT32_MAX || (uint32_t)theta_rng_next(&w->rng) < k)
                    sen[len++] = id;
                continue;
            }
            if (len > 0)
                sentence(w, sen, len, learning_rate(t, base + local));
            len = 0;
        }
        atomic_fetch_add(&t->words_done, c->words);
        pthread_mutex_lock(&t->stats_mu);
        t->loss += w->loss;
        t->examples += w->examples;
        t->epoch_loss += w->loss;
        t->epoch_examples += w->examples;
        t->epoch_products += w->products;
        pthread_mutex_unlock(&t->stats_mu);
        if (w->diverged) {
            pthread_mutex_lock(&t->stats_mu);
            t->divergence = (theta_divergence){w->diverged_word, t->epoch + 1,
                                               learning_rate(t, base + local)};
            pthread_mutex_unlock(&t->stats_mu);
            atomic_store(&t->failed, 1);
        }
        queue_push(&t->empty, c);
    }
    return NULL;
}

/* kind: 0 a progress line, 1 the end of an epoch, 2 a snapshot (workers idle) */
static void report(trainer *t, const theta_train_hooks *h, double start, double *last_time,
                   int64_t *last_words, int kind, double epoch_start, int *stop_req)
{
    const int epoch_end = kind == 1;
    if (!h || !h->progress)
        return;
    double now = theta_now();
    int64_t done = atomic_load(&t->words_done);
    theta_progress p;
    memset(&p, 0, sizeof p);
    p.epoch = t->epoch + 1;
    p.epochs = t->m->cfg.epochs;
    p.progress = (double)done / (double)(t->total_words ? t->total_words : 1);
    if (p.progress > 1)
        p.progress = 1;
    p.alpha = learning_rate(t, done);
    pthread_mutex_lock(&t->stats_mu);
    p.loss = t->examples ? t->loss / (double)t->examples : 0;
    t->loss = 0;
    t->examples = 0;
    if (kind != 0)
        p.epoch_loss = t->epoch_examples ? t->epoch_loss / (double)t->epoch_examples : 0;
    p.epoch_products = t->epoch_products;
    pthread_mutex_unlock(&t->stats_mu);
    double dt = now - *last_time;
    p.words_per_sec_thread = dt > 0 ? (double)(done - *last_words) / dt / t->m->cfg.threads : 0;
    p.elapsed = now - start;
    double frac_run = p.progress; /* ETA from this run's pace */
    p.eta_seconds = frac_run > 0 ? p.elapsed / frac_run * (1 - frac_run) : 0;
    p.words_done = done;
    p.epoch_end = epoch_end;
    p.snapshot = kind != 0;
    p.epoch_seconds = now - epoch_start;
    *last_time = now;
    *last_words = done;
    if (h->progress(&p, t->m, h->user))
        *stop_req = 1;
}

/* One hooks->sync, with every worker idle: hands over this process's words
 * since the last sync and takes the count of all processes in their place.
 * chunks: the chunks of the epoch trained so far; want_stop: this process
 * was asked to stop (*stop_req is set only if the sync says so). */
static theta_status sync_now(trainer *t, const theta_train_hooks *h, int finished,
                             int64_t chunks, int want_stop, int *all_finished, int *stop_req)
{
    theta_sync s;
    memset(&s, 0, sizeof s);
    s.words = atomic_load(&t->words_done) - t->synced_words;
    s.finished = finished;
    s.epoch = t->epoch;
    s.stop_request = want_stop;
    s.chunks = chunks;
    pthread_mutex_lock(&t->stats_mu);
    s.loss_sum = t->epoch_loss;
    s.loss_count = t->epoch_examples;
    pthread_mutex_unlock(&t->stats_mu);
    theta_status st = h->sync(t->m, &s, h->sync_user);
    t->last_sync = theta_now();
    if (st)
        return st;
    t->synced_words += s.words_total;
    atomic_store(&t->words_done, t->synced_words);
    *all_finished = s.all_finished;
    if (s.stop)
        *stop_req = 1;
    return THETA_OK;
}

/* This process was asked to stop: by hooks->stop, by hooks->stop_after_words
 * (words: done, or handed to the workers), or by the progress callback. */
static int asked_to_stop(const theta_train_hooks *h, int64_t words, int ask_stop)
{
    return ask_stop || (h && h->stop && *h->stop) ||
           (h && h->stop_after_words > 0 && words >= h->stop_after_words);
}

/* Opens the corpus of one epoch: hooks->segments, or path. */
static theta_status open_corpus(const char *path, const theta_train_hooks *h, theta_reader **r)
{
    if (h && h->segments)
        return theta_reader_open_segments(h->segments, h->nsegments, r);
    return theta_reader_open(path, r);
}

/* Trains one epoch; the caller thread reads. */
static theta_status run_epoch(trainer *t, const char *path, const theta_train_hooks *h,
                              double start, chunk *pool, int npool)
{
    theta_model *m = t->m;
    const int threads = m->cfg.threads;
    theta_status st = THETA_OK;
    worker_arg *args = aligned_alloc(_Alignof(worker_arg), (size_t)threads * sizeof *args);
    if (args)
        memset(args, 0, (size_t)threads * sizeof *args);
    pthread_t *tids = theta__calloc((size_t)threads, sizeof *tids);
    float *scratch = NULL;
    size_t per = theta__worker_scratch(m); /* floats, a multiple of 16 */
    if (args && tids)
        scratch = aligned_alloc(64, (size_t)threads * per * sizeof *scratch);
    if (!args || !tids || !scratch) {
        free(args);
        free(tids);
        free(scratch);
        return theta__fail(THETA_ENOMEM, "out of memory for the workers' scratch space");
    }
    if (queue_init(&t->full, npool) || queue_init(&t->empty, npool)) {
        free(args); free(tids); free(scratch);
        return THETA_ENOMEM;
    }
    for (int i = 0; i < npool; i++)
        queue_push(&t->empty, &pool[i]);
    if (m->state.chunks_done == 0) {
        t->epoch_loss = 0;
        t->epoch_examples = 0;
    } else {
        t->epoch_loss = m->state.loss_sum;
        t->epoch_examples = m->state.loss_count;
    }
    t->epoch_products = 0;
    int started = 0;
    for (int i = 0; i < threads; i++) {
        args[i].t = t;
        theta__worker_attach(&args[i].w, m, scratch + (size_t)i * per);
        args[i].w.t = &t->tables;
        if (pthread_create(&tids[i], NULL, worker_main, &args[i]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        st = theta__fail(THETA_ENOMEM, "cannot start worker threads");
        queue_destroy(&t->full);
        queue_destroy(&t->empty);
        free(args); free(tids); free(scratch);
        return st;
    }

    theta_reader *r = NULL;
    st = open_corpus(path, h, &r);
    id_stream *ids = theta__calloc(1, sizeof *ids);
    if (!ids && !st)
        st = THETA_ENOMEM;
    if (ids) {
        ids->r = r;
        ids->v = m->vocab;
    }
    double epoch_start = theta_now(), last_time = epoch_start;
    int64_t last_words = atomic_load(&t->words_done);
    int64_t number = 0, enqueued_words = 0, real_words = 0;
    int stop_req = 0; /* stop now */
    int ask_stop = 0; /* the progress callback asked to stop */
    const int64_t skip = m->state.chunks_done;
    /* words done when this epoch (re)started: the reader's position is that
     * plus enqueued_words (a periodic checkpoint updates m->state.words_done
     * mid-epoch, so that cannot be the base) */
    const int64_t epoch_base = m->state.words_done;
    chunk *c = NULL;
    int sentence_len = 0;
    const double interval = h && h->interval > 0 ? h->interval : 1.0;
    /* the next word count at which to take a snapshot (log_every_words) */
    int64_t next_log = 0;
    if (h && h->log_every_words > 0)
        next_log = (m->state.words_done / h->log_every_words + 1) * h->log_every_words;
    while (!st) {
        if (!c) {
            c = queue_pop(&t->empty);
            c->n = 0;
            c->words = 0;
            c->number = number;
        }
        int32_t id;
        int rc = next_id(ids, &id);
        if (rc < 0) {
            st = THETA_EIO;
            break;
        }
        int end_of_input = rc == 0;
        if (!end_of_input) {
            if (id < 0)
                continue;
            c->words++;
            if (id == 0) {
                if (sentence_len > 0)
                    c->ids[c->n++] = 0;
                sentence_len = 0;
            } else {
                real_words++;
                c->ids[c->n++] = id;
                if (++sentence_len == THETA_MAX_SENTENCE) {
                    c->ids[c->n++] = 0;
                    sentence_len = 0;
                }
            }
        } else if (sentence_len > 0) {
            c->ids[c->n++] = 0;
            sentence_len = 0;
        }
        int full = sentence_len == 0 && c->n >= CHUNK_WORDS;
        if (!full && !(end_of_input && c->words > 0)) {
            if (end_of_input)
                break;
            continue;
        }
        number++;
        if (c->number < skip) {
            c->n = 0; /* trained before the interruption: reuse the buffer */
            c->words = 0;
            c->number = number;
        } else {
            enqueued_words += c->words;
            queue_push(&t->full, c);
            c = NULL;
        }
        if (atomic_load(&t->failed))
            break;
        if (h && h->checkpoint && h->checkpoint_every > 0 &&
            theta_now() - t->last_checkpoint >= h->checkpoint_every && !end_of_input) {
            /* a consistent snapshot: every chunk handed out so far is trained */
            queue_wait_count(&t->empty, c ? npool - 1 : npool);
            if (!atomic_load(&t->failed)) {
                m->state.words_done = atomic_load(&t->words_done);
                m->state.chunks_done = number;
                pthread_mutex_lock(&t->stats_mu);
                m->state.loss_sum = t->epoch_loss;
                m->state.loss_count = t->epoch_examples;
                pthread_mutex_unlock(&t->stats_mu);
                st = h->checkpoint(m, h->user);
                if (st)
                    break;
            }
            t->last_checkpoint = theta_now();
        }
        /* with other processes, a stop is decided at a sync: sync at once */
        const int want_stop = asked_to_stop(h, epoch_base + enqueued_words, ask_stop);
        if (h && h->sync && !end_of_input &&
            (want_stop || theta_now() - t->last_sync >= h->sync_every)) {
            int all_finished = 0;
            queue_wait_count(&t->empty, c ? npool - 1 : npool);
            if (!atomic_load(&t->failed)) {
                st = sync_now(t, h, 0, number, want_stop, &all_finished, &stop_req);
                if (st)
                    break;
            }
        }
        if (h && h->log_every_words > 0 && !end_of_input &&
            epoch_base + enqueued_words >= next_log) {
            queue_wait_count(&t->empty, c ? npool - 1 : npool);
            if (!atomic_load(&t->failed))
                report(t, h, start, &last_time, &last_words, 2, epoch_start, &ask_stop);
            while (next_log <= epoch_base + enqueued_words)
                next_log += h->log_every_words;
        } else if (theta_now() - last_time >= interval) {
            report(t, h, start, &last_time, &last_words, 0, epoch_start, &ask_stop);
        }
        if (stop_req ||
            (!(h && h->sync) && asked_to_stop(h, epoch_base + enqueued_words, ask_stop))) {
            stop_req = 1;
            break;
        }
        if (end_of_input)
            break;
    }
    if (c)
        queue_push(&t->empty, c);
    free(ids);
    queue_close(&t->full);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (r) {
        theta_status cst = theta_reader_close(r);
        if (!st && !stop_req && cst)
            st = cst;
    }
    /* this share is trained: keep joining the other processes' syncs until
     * they have trained theirs too (the last one syncs every row) */
    if (h && h->sync && !st && !stop_req && !atomic_load(&t->failed)) {
        int all_finished = 0;
        while (!st && !all_finished && !stop_req)
            st = sync_now(t, h, 1, number,
                          asked_to_stop(h, epoch_base + enqueued_words, ask_stop),
                          &all_finished, &stop_req);
    }
    queue_destroy(&t->full);
    queue_destroy(&t->empty);
    free(args);
    free(tids);
    free(scratch);

    if (!st && atomic_load(&t->failed)) {
        theta_divergence d = t->divergence;
        last_divergence = d;
        char dbuf[64];
        snprintf(dbuf, sizeof dbuf, "%g", d.alpha);
        st = theta__fail(THETA_EDIVERGED,
                         "training diverged: non-finite value while training '%s' in epoch %d "
                         "at learning rate %s (try a smaller --alpha or init scale)",
                         m->vocab->entries[d.word].word, d.epoch, dbuf);
    }
    m->state.words_done = atomic_load(&t->words_done);
    m->state.loss_sum = t->epoch_loss;
    m->state.loss_count = t->epoch_examples;
    if (st)
        return st;
    if (stop_req) {
        m->state.chunks_done = number;
        return theta__fail(THETA_EINTR, "training stopped on request in epoch %d", t->epoch + 1);
    }
    if (real_words == 0 && skip == 0 && !(h && h->sync))
        return theta__fail(THETA_EDATA, "%s: the corpus has no words of the vocabulary", path);
    report(t, h, start, &last_time, &last_words, 1, epoch_start, &stop_req);
    m->state.epoch = t->epoch + 1;
    m->state.chunks_done = 0;
    m->state.loss_sum = 0;
    m->state.loss_count = 0;
    if (stop_req && t->epoch + 1 < m->cfg.epochs)
        return theta__fail(THETA_EINTR, "training stopped on request after epoch %d", t->epoch + 1);
    return THETA_OK;
}

theta_status theta_train(theta_model *m, const char *path, const theta_train_hooks *hooks)
{
    theta_status st = theta_config_validate(&m->cfg);
    if (st)
        return st;
    if (m->state.train_words <= 0)
        return theta__fail(THETA_EDATA, "the vocabulary has no counted words");
    trainer *t = theta__calloc(1, sizeof *t);
    if (!t)
        return THETA_ENOMEM;
    t->m = m;
    t->kernel = theta__kernel_select(hooks ? hooks->isa : NULL);
    if (!t->kernel) {
        free(t);
        return theta__fail(THETA_EINVAL, "this CPU cannot run the '%s' kernels", hooks->isa);
    }
    theta__tables_init(&t->tables);
    t->total_words = (int64_t)m->cfg.epochs * m->state.train_words;
    atomic_store(&t->words_done, m->state.words_done);
    pthread_mutex_init(&t->stats_mu, NULL);
    const int npool = 2 * m->cfg.threads + 2;
    chunk *pool = NULL;
    if (build_keep(t) || !(pool = theta__alloc((size_t)npool, sizeof *pool))) {
        free(t->keep);
        pthread_mutex_destroy(&t->stats_mu);
        free(t);
        return THETA_ENOMEM;
    }
    double start = theta_now();
    t->last_checkpoint = start;
    t->last_sync = start;
    t->synced_words = m->state.words_done;
    t->stream = hooks ? hooks->stream : 0;
    for (int e = m->state.epoch; e < m->cfg.epochs && !st; e++) {
        t->epoch = e;
        st = run_epoch(t, path, hooks, start, pool, npool);
    }
    free(pool);
    free(t->keep);
    pthread_mutex_destroy(&t->stats_mu);
    free(t);
    return st;
}
