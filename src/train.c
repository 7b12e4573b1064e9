/*
 * train.c — the training driver: one reader (the calling thread) turns the
 * corpus, or the ids the vocabulary kept of it while counting, into chunks
 * of word ids and feeds them through a bounded queue to N hogwild worker
 * threads.
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
#include "pool.h"
#include "train.h"

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
 * the lookups' cache misses overlap; or the ids the vocabulary kept from
 * counting this corpus (runs), the same stream without reading text. */
typedef struct {
    const theta__id_run *runs; /* [nruns]; NULL: from the reader */
    int nruns, run;
    int64_t at;               /* in runs[run].code */
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
    if (s->runs) {
        while (s->run < s->nruns && s->at == s->runs[s->run].len) {
            s->run++;
            s->at = 0;
        }
        if (s->run == s->nruns)
            return 0;
        *id = theta__id_decode(&s->runs[s->run], &s->at);
        return 1;
    }
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
    const theta_train_hooks *h;  /* may be NULL */
    const theta__train_ext *x;   /* may be NULL */
    const theta_segment *segs;   /* the corpus: [nsegs] read one after another */
    int nsegs;
    uint32_t *keep;          /* (V) subsampling: keep a word if rng32 < keep[w]; UINT32_MAX = always */
    int epoch;               /* 0-based epoch in progress */
    int64_t total_words;     /* epochs * words per epoch */
    _Atomic int64_t words_done;
    atomic_int failed;       /* a worker diverged or ran out of memory */
    queue full, empty;
    chunk *pool;             /* [npool] chunk buffers, cycling through the two queues */
    int npool;
    pthread_mutex_t stats_mu;
    double loss;             /* since the last report / over the epoch, under stats_mu */
    int64_t examples;
    double epoch_loss;
    int64_t epoch_examples;
    int64_t epoch_products;  /* kernel products this epoch (this run's part), under stats_mu */
    theta_divergence divergence;
    double start;            /* when training started */
    double last_checkpoint;  /* time of the last checkpoint (or of the start) */
    double last_sync;        /* time of the last sync (or of the start) */
    int64_t synced_words;    /* words_done as of the last sync, all processes */
    uint64_t stream;         /* ext->stream */
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
 * (sqrt(f / (s T)) + 1) * (s T) / f, f = count, T = the counts' sum (the
 * words per epoch, except in a run continued on new text, whose counts sum
 * the old and the new: f / T stays a frequency). */
static int build_keep(trainer *t)
{
    const theta_vocab *v = t->m->vocab;
    t->keep = theta__alloc((size_t)v->size, sizeof *t->keep);
    if (!t->keep)
        return -1;
    double st = t->m->cfg.sample * (double)t->m->vocab->total;
    for (int32_t i = 0; i < v->size; i++) {
        double f = (double)v->entries[i].count;
        double p = (t->m->cfg.sample > 0 && f > 0) ? (sqrt(f / st) + 1.0) * st / f : 1.0;
        t->keep[i] = p >= 1.0 ? UINT32_MAX : (uint32_t)(p * 4294967296.0);
    }
    return 0;
}

/* ---- workers ------------------------------------------------------------ */

/* One cache line or more each: a worker writes its rng state and loss on
 * every example, and must not share a line with the next worker's fields. */
typedef struct {
    _Alignas(64) trainer *t;
    theta__worker w;
} worker_arg;

/* The workers of one epoch: their state, scratch space and threads. */
typedef struct {
    worker_arg *args;  /* [threads] */
    float *scratch;    /* [threads * per-worker floats] */
    theta__pool *pool;
} workers;

/* Trains chunk c: subsamples each sentence with the chunk's own rng, then
 * hands it to the kernel at the rate of the words done before it. */
static void train_chunk(trainer *t, theta__worker *w, const chunk *c)
{
    const theta_model *m = t->m;
    const theta__sentence_fn sentence = t->kernel->sentence[m->cfg.kernel];
    int32_t sen[THETA_MAX_SENTENCE];
    uint64_t seed = m->cfg.seed + t->stream * 0x9e3779b97f4a7c15ULL;
    theta__worker_seed(w, theta_seed_mix(seed, (uint64_t)t->epoch, (uint64_t)c->number));
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
            if (k == UINT32_MAX || (uint32_t)theta__draw(w) < k)
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
    if (w->diverged)
        t->divergence = (theta_divergence){w->diverged_word, t->epoch + 1,
                                           learning_rate(t, base + local)};
    pthread_mutex_unlock(&t->stats_mu);
    if (w->diverged)
        atomic_store(&t->failed, 1);
}

/* A pool task: trains chunks until the queue closes (after a failure, only
 * hands them back). */
static void worker_task(void *p, int i)
{
    worker_arg *a = (worker_arg *)p + i;
    trainer *t = a->t;
    chunk *c;
    while ((c = queue_pop(&t->full)) != NULL) {
        if (!atomic_load(&t->failed))
            train_chunk(t, &a->w, c);
        queue_push(&t->empty, c);
    }
}

static void free_workers(workers *ws)
{
    free(ws->args);
    free(ws->scratch);
    memset(ws, 0, sizeof *ws);
}

/* Gives every worker its scratch space and starts their threads. */
static theta_status start_workers(trainer *t, workers *ws)
{
    const int threads = t->m->cfg.threads;
    const size_t per = theta__worker_scratch(t->m); /* floats, a multiple of 16 */
    memset(ws, 0, sizeof *ws);
    ws->args = aligned_alloc(_Alignof(worker_arg), (size_t)threads * sizeof *ws->args);
    ws->scratch = aligned_alloc(64, (size_t)threads * per * sizeof *ws->scratch);
    if (!ws->args || !ws->scratch) {
        free_workers(ws);
        return theta__fail(THETA_ENOMEM, "out of memory for the workers' scratch space");
    }
    memset(ws->args, 0, (size_t)threads * sizeof *ws->args);
    for (int i = 0; i < threads; i++) {
        ws->args[i].t = t;
        theta__worker_attach(&ws->args[i].w, t->m, ws->scratch + (size_t)i * per);
        ws->args[i].w.t = &t->tables;
    }
    if (theta__pool_start(threads, threads, worker_task, ws->args, &ws->pool)) {
        free_workers(ws);
        return theta__fail(THETA_ENOMEM, "cannot start worker threads");
    }
    return THETA_OK;
}

/* Closes the queue and waits for the workers: every chunk is trained. */
static void stop_workers(trainer *t, workers *ws)
{
    queue_close(&t->full);
    theta__pool_join(ws->pool);
    free_workers(ws);
}

/* ---- one epoch ---------------------------------------------------------- */

/* The reading side of an epoch (the calling thread). */
typedef struct {
    trainer *t;
    id_stream ids;          /* the corpus: its reader (ids.r) or kept ids */
    chunk *c;               /* being filled (NULL: none taken yet) */
    int sentence_len;
    int64_t number;         /* chunks read so far this epoch */
    int64_t skip;           /* chunks trained before a resume */
    /* words done when this epoch (re)started: the reader's position is that
     * plus enqueued (a periodic checkpoint updates m->state.words_done
     * mid-epoch, so that cannot be the base) */
    int64_t base;
    int64_t enqueued;       /* words handed to the workers */
    int64_t sync_mark;      /* enqueued at the last sync of this epoch */
    int64_t real_words;     /* words other than sentence ends */
    int end;                /* the reader reached the end of the input */
    int stop;               /* stop now */
    int ask_stop;           /* the progress callback asked to stop */
    double epoch_start, last_time;
    int64_t last_words;
    int64_t next_log;       /* the word count of the next snapshot (log_every_words) */
} epoch_run;

/* Opens the corpus of one epoch: the ids the vocabulary kept of it, or its text. */
static theta_status open_corpus(const trainer *t, epoch_run *e)
{
    const theta_segment *s = t->segs;
    e->ids.v = t->m->vocab;
    if (t->nsegs == 1 && s->start == 0 && s->end < 0) {
        e->ids.nruns = theta__vocab_ids(t->m->vocab, s->path, &e->ids.runs);
        if (e->ids.nruns > 0)
            return THETA_OK;
        e->ids.runs = NULL;
        return theta_reader_open(s->path, &e->ids.r);
    }
    return theta_reader_open_segments(t->segs, t->nsegs, &e->ids.r);
}

/* Adds one token to e->c. */
static void add_token(epoch_run *e, int32_t id)
{
    chunk *c = e->c;
    c->words++;
    if (id == 0) {
        if (e->sentence_len > 0)
            c->ids[c->n++] = 0;
        e->sentence_len = 0;
        return;
    }
    e->real_words++;
    c->ids[c->n++] = id;
    if (++e->sentence_len == THETA_MAX_SENTENCE) {
        c->ids[c->n++] = 0;
        e->sentence_len = 0;
    }
}

/* Reads into e->c until it is full (whole sentences, CHUNK_WORDS ids or
 * more) or the input ends. 1: a chunk with words; 0: the input ended with
 * nothing more; -1: a read error. */
static int fill_chunk(epoch_run *e)
{
    if (!e->c) {
        e->c = queue_pop(&e->t->empty);
        e->c->n = 0;
        e->c->words = 0;
        e->c->number = e->number;
    }
    for (;;) {
        int32_t id;
        int rc = next_id(&e->ids, &id);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            e->end = 1;
            if (e->sentence_len > 0) {
                e->c->ids[e->c->n++] = 0;
                e->sentence_len = 0;
            }
            return e->c->words > 0;
        }
        if (id < 0)
            continue; /* not in the vocabulary */
        add_token(e, id);
        if (e->sentence_len == 0 && e->c->n >= CHUNK_WORDS)
            return 1;
    }
}

/* Hands the full chunk to the workers, or drops it if it was trained before
 * the interruption a resumed run continues (its buffer is reused). */
static void hand_out(epoch_run *e)
{
    chunk *c = e->c;
    e->number++;
    if (c->number < e->skip) {
        c->n = 0;
        c->words = 0;
        c->number = e->number;
        return;
    }
    e->enqueued += c->words;
    queue_push(&e->t->full, c);
    e->c = NULL;
}

/* Blocks until every chunk handed out is trained (the workers are idle). */
static void wait_idle(epoch_run *e)
{
    queue_wait_count(&e->t->empty, e->c ? e->t->npool - 1 : e->t->npool);
}

/* m->state describes exactly the work done: after wait_idle. */
static void record_state(epoch_run *e)
{
    trainer *t = e->t;
    t->m->state.words_done = atomic_load(&t->words_done);
    t->m->state.chunks_done = e->number;
    pthread_mutex_lock(&t->stats_mu);
    t->m->state.loss_sum = t->epoch_loss;
    t->m->state.loss_count = t->epoch_examples;
    pthread_mutex_unlock(&t->stats_mu);
}

/* kind: 0 a progress line, 1 the end of an epoch, 2 a snapshot (workers idle) */
static void report(epoch_run *e, int kind)
{
    trainer *t = e->t;
    const theta_train_hooks *h = t->h;
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
    double dt = now - e->last_time;
    p.words_per_sec_thread = dt > 0 ? (double)(done - e->last_words) / dt / t->m->cfg.threads : 0;
    p.elapsed = now - t->start;
    p.eta_seconds = p.progress > 0 ? p.elapsed / p.progress * (1 - p.progress) : 0;
    p.words_done = done;
    p.epoch_end = kind == 1;
    p.snapshot = kind != 0;
    p.epoch_seconds = now - e->epoch_start;
    e->last_time = now;
    e->last_words = done;
    if (h->progress(&p, t->m, h->user))
        e->ask_stop = 1;
}

/* This process was asked to stop: by hooks->stop, by stop_after_words
 * (counting the words handed to the workers), or by the progress callback. */
static int asked_to_stop(const epoch_run *e)
{
    const theta_train_hooks *h = e->t->h;
    const theta__train_ext *x = e->t->x;
    return e->ask_stop || (h && h->stop && *h->stop) ||
           (x && x->stop_after_words > 0 && e->base + e->enqueued >= x->stop_after_words);
}

/* One sync with every worker idle: hands over this process's words since
 * the last sync and takes the count of all processes in their place. */
static theta_status sync_now(epoch_run *e, int finished, int *all_finished)
{
    trainer *t = e->t;
    theta__sync s;
    memset(&s, 0, sizeof s);
    s.words = atomic_load(&t->words_done) - t->synced_words;
    s.finished = finished;
    s.epoch = t->epoch;
    s.stop_request = asked_to_stop(e);
    s.chunks = e->number;
    pthread_mutex_lock(&t->stats_mu);
    s.loss_sum = t->epoch_loss;
    s.loss_count = t->epoch_examples;
    pthread_mutex_unlock(&t->stats_mu);
    theta_status st = t->x->sync(t->m, &s, t->x->sync_user);
    t->last_sync = theta_now();
    e->sync_mark = e->enqueued;
    if (st)
        return st;
    t->synced_words += s.words_total;
    atomic_store(&t->words_done, t->synced_words);
    *all_finished = s.all_finished;
    if (s.stop)
        e->stop = 1;
    return THETA_OK;
}

/* A periodic checkpoint when one is due, of a consistent state. */
static theta_status maybe_checkpoint(epoch_run *e)
{
    trainer *t = e->t;
    const theta_train_hooks *h = t->h;
    if (!h || !h->checkpoint || h->checkpoint_every <= 0 ||
        theta_now() - t->last_checkpoint < h->checkpoint_every)
        return THETA_OK;
    wait_idle(e);
    theta_status st = THETA_OK;
    if (!atomic_load(&t->failed)) {
        record_state(e);
        st = h->checkpoint(t->m, h->user);
    }
    t->last_checkpoint = theta_now();
    return st;
}

/* A sync when one is due (after sync_words words handed out, else after
 * sync_every seconds); with other processes, a stop is decided at a sync,
 * so a stop request syncs at once. */
static theta_status maybe_sync(epoch_run *e)
{
    trainer *t = e->t;
    if (!t->x || !t->x->sync)
        return THETA_OK;
    int due = t->x->sync_words > 0 ? e->enqueued - e->sync_mark >= t->x->sync_words
                                   : theta_now() - t->last_sync >= t->x->sync_every;
    if (!due && !asked_to_stop(e))
        return THETA_OK;
    int all_finished = 0;
    wait_idle(e);
    return atomic_load(&t->failed) ? THETA_OK : sync_now(e, 0, &all_finished);
}

/* A snapshot every log_every_words words (workers idle), else a progress
 * line every interval seconds. */
static void maybe_report(epoch_run *e)
{
    const theta_train_hooks *h = e->t->h;
    const int64_t at = e->base + e->enqueued;
    if (h && h->log_every_words > 0 && !e->end && at >= e->next_log) {
        wait_idle(e);
        if (!atomic_load(&e->t->failed))
            report(e, 2);
        while (e->next_log <= at)
            e->next_log += h->log_every_words;
        return;
    }
    const double interval = h && h->interval > 0 ? h->interval : 1.0;
    if (theta_now() - e->last_time >= interval)
        report(e, 0);
}

/* Reads the corpus into chunks for the workers until the input ends, a
 * read fails, a worker fails or a stop is due; between two chunks, the
 * checkpoints, syncs and reports that are due. */
static theta_status feed_epoch(epoch_run *e)
{
    trainer *t = e->t;
    theta_status st = THETA_OK;
    while (!st) {
        int rc = fill_chunk(e);
        if (rc < 0)
            return THETA_EIO;
        if (rc == 0)
            break; /* the input ended between two chunks */
        hand_out(e);
        if (atomic_load(&t->failed))
            break;
        if (!e->end && !(st = maybe_checkpoint(e)))
            st = maybe_sync(e);
        if (st)
            break;
        maybe_report(e);
        if (e->stop || (!(t->x && t->x->sync) && asked_to_stop(e))) {
            e->stop = 1;
            break;
        }
        if (e->end)
            break;
    }
    return st;
}

/* This share of the epoch is trained: keep joining the other processes'
 * syncs until they have trained theirs too (the last one syncs every row). */
static theta_status join_other_processes(epoch_run *e)
{
    theta_status st = THETA_OK;
    int all_finished = 0;
    while (!st && !all_finished && !e->stop)
        st = sync_now(e, 1, &all_finished);
    return st;
}

/* The error of a diverged run, with where it happened. */
static theta_status diverged(trainer *t)
{
    theta_divergence d = t->divergence;
    last_divergence = d;
    char dbuf[64];
    snprintf(dbuf, sizeof dbuf, "%g", d.alpha);
    return theta__fail(THETA_EDIVERGED,
                       "training diverged: non-finite value while training '%s' in epoch %d "
                       "at learning rate %s",
                       t->m->vocab->entries[d.word].word, d.epoch, dbuf);
}

/* After the workers stopped: the state the epoch leaves, and its status. */
static theta_status finish_epoch(epoch_run *e, theta_status st)
{
    trainer *t = e->t;
    theta_model *m = t->m;
    if (!st && atomic_load(&t->failed))
        st = diverged(t);
    m->state.words_done = atomic_load(&t->words_done);
    m->state.loss_sum = t->epoch_loss;
    m->state.loss_count = t->epoch_examples;
    if (st)
        return st;
    if (e->stop) {
        m->state.chunks_done = e->number;
        return theta__fail(THETA_EINTR, "training stopped on request in epoch %d", t->epoch + 1);
    }
    if (e->real_words == 0 && e->skip == 0 && !(t->x && t->x->sync))
        return theta__fail(THETA_EDATA, "%s: the corpus has no words of the vocabulary",
                           t->segs[0].path);
    e->ask_stop = 0; /* set again if the epoch's report asks to stop */
    report(e, 1);
    m->state.epoch = t->epoch + 1;
    m->state.chunks_done = 0;
    m->state.loss_sum = 0;
    m->state.loss_count = 0;
    if (e->ask_stop && t->epoch + 1 < m->cfg.epochs)
        return theta__fail(THETA_EINTR, "training stopped on request after epoch %d", t->epoch + 1);
    return THETA_OK;
}

/* Sets up the reading side of an epoch; the loss statistics continue a
 * resumed epoch's. */
static void begin_epoch(trainer *t, epoch_run *e)
{
    theta_model *m = t->m;
    memset(e, 0, sizeof *e);
    e->t = t;
    e->skip = m->state.chunks_done;
    e->base = m->state.words_done;
    e->epoch_start = e->last_time = theta_now();
    e->last_words = atomic_load(&t->words_done);
    if (t->h && t->h->log_every_words > 0)
        e->next_log = (m->state.words_done / t->h->log_every_words + 1) * t->h->log_every_words;
    t->epoch_loss = e->skip ? m->state.loss_sum : 0;
    t->epoch_examples = e->skip ? m->state.loss_count : 0;
    t->epoch_products = 0;
    for (int i = 0; i < t->npool; i++)
        queue_push(&t->empty, &t->pool[i]);
}

/* Trains one epoch: the workers train the chunks the calling thread reads. */
static theta_status run_epoch(trainer *t)
{
    epoch_run e;
    workers ws;
    if (queue_init(&t->full, t->npool) || queue_init(&t->empty, t->npool)) {
        queue_destroy(&t->full);
        return THETA_ENOMEM;
    }
    begin_epoch(t, &e);
    theta_status st = start_workers(t, &ws);
    if (st) {
        queue_destroy(&t->full);
        queue_destroy(&t->empty);
        return st;
    }
    /* read and hand out the corpus, with checkpoints, syncs and reports */
    st = open_corpus(t, &e);
    if (!st)
        st = feed_epoch(&e);
    if (e.c)
        queue_push(&t->empty, e.c);
    /* every chunk handed out is trained */
    stop_workers(t, &ws);
    if (e.ids.r) {
        theta_status cst = theta_reader_close(e.ids.r);
        if (!st && !e.stop && cst)
            st = cst;
    }
    /* with other processes: wait for them at the epoch's last syncs */
    if (t->x && t->x->sync && !st && !e.stop && !atomic_load(&t->failed))
        st = join_other_processes(&e);
    queue_destroy(&t->full);
    queue_destroy(&t->empty);
    return finish_epoch(&e, st);
}

static void free_trainer(trainer *t)
{
    if (!t)
        return;
    free(t->pool);
    free(t->keep);
    pthread_mutex_destroy(&t->stats_mu);
    free(t);
}

/* A trainer for m: kernels, tables, subsampling, chunk buffers. */
static theta_status new_trainer(theta_model *m, const theta_train_hooks *h,
                                const theta__train_ext *x, trainer **out)
{
    trainer *t = theta__calloc(1, sizeof *t);
    if (!t)
        return THETA_ENOMEM;
    pthread_mutex_init(&t->stats_mu, NULL);
    t->m = m;
    t->h = h;
    t->x = x;
    t->kernel = theta__kernel_select(h ? h->isa : NULL);
    if (!t->kernel) {
        free_trainer(t);
        return theta__fail(THETA_EINVAL, "this CPU cannot run the '%s' kernels", h->isa);
    }
    theta__tables_init(&t->tables);
    t->total_words = (int64_t)m->cfg.epochs * m->state.train_words;
    atomic_store(&t->words_done, m->state.words_done);
    t->npool = 2 * m->cfg.threads + 2;
    if (build_keep(t) || !(t->pool = theta__alloc((size_t)t->npool, sizeof *t->pool))) {
        free_trainer(t);
        return THETA_ENOMEM;
    }
    t->start = t->last_checkpoint = t->last_sync = theta_now();
    t->synced_words = m->state.words_done;
    t->stream = x ? x->stream : 0;
    *out = t;
    return THETA_OK;
}

theta_status theta__train(theta_model *m, const theta_segment *segs, int nsegs,
                          const theta_train_hooks *hooks, const theta__train_ext *ext)
{
    theta_status st = theta_config_validate(&m->cfg);
    if (st)
        return st;
    if (m->state.train_words <= 0)
        return theta__fail(THETA_EDATA, "the vocabulary has no counted words");
    if (nsegs < 1)
        return theta__fail(THETA_EINVAL, "no corpus to train on");
    trainer *t = NULL;
    if ((st = new_trainer(m, hooks, ext, &t)))
        return st;
    t->segs = segs;
    t->nsegs = nsegs;
    for (int e = m->state.epoch; e < m->cfg.epochs && !st; e++) {
        t->epoch = e;
        st = run_epoch(t);
    }
    theta__vocab_drop_ids(m->vocab); /* the text's ids serve this training only */
    free_trainer(t);
    return st;
}

theta_status theta_train_segments(theta_model *m, const theta_segment *segs, int nsegs,
                                  const theta_train_hooks *hooks)
{
    return theta__train(m, segs, nsegs, hooks, NULL);
}

theta_status theta_train(theta_model *m, const char *path, const theta_train_hooks *hooks)
{
    theta_segment whole = {path, 0, -1};
    return theta__train(m, &whole, 1, hooks, NULL);
}
