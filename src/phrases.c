/*
 * phrases.c — word2vec's word2phrase: counts words and adjacent pairs in a
 * bounded hash table, scores the pairs, and rewrites the corpus with the
 * pairs above a threshold joined into one token; several passes for longer
 * phrases. What it does not do: print, or hold the corpus in memory (each
 * pass reads its input twice, once to count and once to rewrite; standard
 * input is spooled, intermediate passes go to unlinked temporary files).
 */
#include "internal.h"
#include "pool.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_ENTRIES 20000000 /* about 60 bytes each: ~1.2 GB at most */
#define MAX_MAX_ENTRIES (1LL << 30)
#define BATCH 4096                   /* tokens per theta_reader_next_batch */
#define WORD_CAP (THETA_MAX_WORD + 8)
#define PAIR_SEP ' '                 /* between the words of a pair key: never in a word */
#define PROGRESS_EVERY 0.1           /* seconds between progress calls */

/* ---- the table: words and "a b" pair keys to counts ------------------------ */

/* A record in the arena: the count, the key's hash and length, then the
 * key's bytes, padded to 8 bytes. Count and key share a cache line, and a
 * slot holds the hash, so a lookup touches one slot and one record. */
typedef struct {
    int64_t count;
    uint32_t hash;
    uint32_t len;
} record;

#define REC_SIZE(len) ((sizeof(record) + (size_t)(len) + 7) & ~(size_t)7)

struct theta_phrases_table {
    char *arena;          /* the records back to back, in insertion order */
    size_t used, arena_cap;
    size_t n;             /* records */
    uint64_t *slot;       /* [mask + 1]: hash << 32 | (offset / 8 + 1), 0 = empty */
    size_t mask;
    int64_t max_entries;  /* prune when n passes this (0 = never) */
    int64_t words, bytes, pruned, pruned_below;
};

static inline record *rec_at(const theta_phrases_table *t, size_t off)
{
    return (record *)(void *)(t->arena + off);
}

static inline const char *rec_key(const record *r)
{
    return (const char *)(r + 1);
}

/* FNV-1a over the bytes (a running state, so the hash of "a b" continues
 * the state after a), then a final avalanche (the slot index takes the low
 * bits). */
#define FNV_SEED 0xcbf29ce484222325ULL

static inline uint64_t fnv(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static inline uint32_t fnv_finish(uint64_t h)
{
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static uint32_t hash_key(const char *s, size_t len)
{
    return fnv_finish(fnv(FNV_SEED, s, len));
}

static theta_phrases_table *table_new(int64_t max_entries)
{
    theta_phrases_table *t = theta__calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->mask = 2047;
    t->arena_cap = 65536;
    t->slot = theta__calloc(t->mask + 1, sizeof *t->slot);
    t->arena = theta__alloc(t->arena_cap, 1);
    t->max_entries = max_entries;
    if (!t->slot || !t->arena) {
        theta_phrases_table_free(t);
        return NULL;
    }
    return t;
}

void theta_phrases_table_free(theta_phrases_table *t)
{
    if (!t)
        return;
    free(t->slot);
    free(t->arena);
    free(t);
}

static size_t find_slot(const theta_phrases_table *t, const char *k, size_t len, uint32_t h)
{
    size_t i = h & t->mask;
    for (;;) {
        uint64_t s = t->slot[i];
        if (!s)
            return i;
        if ((uint32_t)(s >> 32) == h) {
            const record *r = rec_at(t, ((size_t)(uint32_t)s - 1) * 8);
            if (r->len == len && memcmp(rec_key(r), k, len) == 0)
                return i;
        }
        i = (i + 1) & t->mask;
    }
}

static inline uint64_t make_slot(uint32_t h, size_t off)
{
    return (uint64_t)h << 32 | (uint64_t)(off / 8 + 1);
}

static int64_t lookup(const theta_phrases_table *t, const char *k, size_t len)
{
    uint64_t s = t->slot[find_slot(t, k, len, hash_key(k, len))];
    return s ? rec_at(t, ((size_t)(uint32_t)s - 1) * 8)->count : 0;
}

/* Rebuilds the slots for the records, at most half full. */
static theta_status rehash(theta_phrases_table *t)
{
    size_t want = 2048;
    while (want < t->n * 2 + 2)
        want <<= 1;
    uint64_t *s = theta__calloc(want, sizeof *s);
    if (!s)
        return theta__fail(THETA_ENOMEM, "out of memory for a table of %zu words and pairs",
                           t->n);
    free(t->slot);
    t->slot = s;
    t->mask = want - 1;
    for (size_t off = 0; off < t->used;) {
        const record *r = rec_at(t, off);
        t->slot[find_slot(t, rec_key(r), r->len, r->hash)] = make_slot(r->hash, off);
        off += REC_SIZE(r->len);
    }
    return THETA_OK;
}

/* word2vec's rule, as the vocabulary prunes: drop every entry with count at
 * most a running threshold, raising it until the table is half full. The
 * records kept move to the front of the arena, in order, in place. */
static theta_status prune(theta_phrases_table *t)
{
    int64_t threshold = t->pruned_below > 1 ? t->pruned_below - 1 : 1;
    while ((int64_t)t->n > t->max_entries / 2 + 1) {
        size_t kept = 0, used = 0;
        for (size_t off = 0; off < t->used;) {
            record *r = rec_at(t, off);
            size_t size = REC_SIZE(r->len);
            if (r->count > threshold) {
                memmove(t->arena + used, r, size);
                used += size;
                kept++;
            } else {
                t->pruned++;
            }
            off += size;
        }
        t->n = kept;
        t->used = used;
        t->pruned_below = threshold + 1;
        threshold++;
    }
    return rehash(t);
}

static theta_status add_key(theta_phrases_table *t, const char *k, size_t len, uint32_t h,
                            int64_t count)
{
    size_t i = find_slot(t, k, len, h);
    if (t->slot[i]) {
        rec_at(t, ((size_t)(uint32_t)t->slot[i] - 1) * 8)->count += count;
        return THETA_OK;
    }
    size_t size = REC_SIZE(len);
    if (t->used + size > t->arena_cap) {
        size_t cap = t->arena_cap * 2;
        while (t->used + size > cap)
            cap *= 2;
        if (cap / 8 >= UINT32_MAX)
            return theta__fail(THETA_ENOMEM, "the phrase table passed 32 GB");
        char *a = realloc(t->arena, cap);
        if (!a)
            return theta__fail(THETA_ENOMEM, "out of memory growing the phrase table");
        t->arena = a;
        t->arena_cap = cap;
    }
    record *r = rec_at(t, t->used);
    r->count = count;
    r->hash = h;
    r->len = (uint32_t)len;
    memcpy(r + 1, k, len);
    t->slot[i] = make_slot(h, t->used);
    t->used += size;
    t->n++;
    if (t->n * 2 > t->mask + 1) {
        theta_status st = rehash(t);
        if (st)
            return st;
    }
    if (t->max_entries > 0 && (int64_t)t->n > t->max_entries)
        return prune(t);
    return THETA_OK;
}

/* "a b" into key[2 * WORD_CAP]; returns its length. */
static size_t pair_key(char *key, const char *a, size_t alen, const char *b, size_t blen)
{
    memcpy(key, a, alen);
    key[alen] = PAIR_SEP;
    memcpy(key + alen + 1, b, blen);
    return alen + 1 + blen;
}

static int is_eos(const char *w, uint32_t len)
{
    return len == sizeof THETA_EOS - 1 && memcmp(w, THETA_EOS, len) == 0;
}

int64_t theta_phrases_word_count(const theta_phrases_table *t, const char *w)
{
    size_t len = strlen(w);
    return len > 0 && len <= THETA_MAX_WORD ? lookup(t, w, len) : 0;
}

int64_t theta_phrases_pair_count(const theta_phrases_table *t, const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b);
    if (!alen || !blen || alen > THETA_MAX_WORD || blen > THETA_MAX_WORD)
        return 0;
    char key[2 * WORD_CAP];
    return lookup(t, key, pair_key(key, a, alen, b, blen));
}

theta_phrases_table_info theta_phrases_table_stats(const theta_phrases_table *t)
{
    theta_phrases_table_info i = {t->words, t->bytes, (int64_t)t->n, t->pruned, t->pruned_below};
    return i;
}

/* ---- configuration and scores ---------------------------------------------- */

theta_phrases_config theta_phrases_config_default(void)
{
    theta_phrases_config c;
    memset(&c, 0, sizeof c);
    c.scoring = THETA_PHRASES_W2V;
    c.threshold = theta_phrases_default_threshold(THETA_PHRASES_W2V);
    c.min_count = 5; /* word2phrase's */
    c.passes = 1;
    c.threads = theta__cpu_count();
    c.max_entries = DEFAULT_MAX_ENTRIES;
    c.delimiter = "_";
    return c;
}

double theta_phrases_default_threshold(theta_phrases_scoring scoring)
{
    return scoring == THETA_PHRASES_NPMI ? 0.5 : 100.0;
}

theta_status theta_phrases_config_validate(const theta_phrases_config *c)
{
    if (c->scoring != THETA_PHRASES_W2V && c->scoring != THETA_PHRASES_NPMI)
        return theta__fail(THETA_EINVAL, "--scoring must be w2v or npmi");
    if (!isfinite(c->threshold))
        return theta__fail(THETA_EINVAL, "--threshold must be a finite number");
    if (c->scoring == THETA_PHRASES_W2V && c->threshold < 0)
        return theta__fail(THETA_EINVAL, "--threshold must be >= 0 with --scoring w2v, not %g",
                           c->threshold);
    if (c->scoring == THETA_PHRASES_NPMI && (c->threshold < -1 || c->threshold > 1))
        return theta__fail(THETA_EINVAL,
                           "--threshold must be in -1..1 with --scoring npmi, not %g",
                           c->threshold);
    if (c->min_count < 1)
        return theta__fail(THETA_EINVAL, "--min-count must be at least 1");
    if (c->passes < 1 || c->passes > THETA_PHRASES_MAX_PASSES)
        return theta__fail(THETA_EINVAL, "--passes must be in 1..%d", THETA_PHRASES_MAX_PASSES);
    if (c->threads < 1 || c->threads > 512)
        return theta__fail(THETA_EINVAL, "--threads must be in 1..512");
    if (c->max_entries != 0 && (c->max_entries < 16 || c->max_entries > MAX_MAX_ENTRIES))
        return theta__fail(THETA_EINVAL, "--max-entries must be in 16..%lld",
                           (long long)MAX_MAX_ENTRIES);
    size_t dlen = c->delimiter ? strlen(c->delimiter) : 0;
    if (dlen == 0 || dlen > THETA_PHRASES_MAX_DELIMITER)
        return theta__fail(THETA_EINVAL, "--delimiter must be 1..%d bytes",
                           THETA_PHRASES_MAX_DELIMITER);
    for (size_t i = 0; i < dlen; i++)
        if (strchr(" \t\n\v\f\r", c->delimiter[i]))
            return theta__fail(THETA_EINVAL, "--delimiter must not hold whitespace");
    return THETA_OK;
}

double theta_phrases_pass_threshold(const theta_phrases_config *c, int pass)
{
    double t = c->threshold;
    for (int k = pass; k < c->passes - 1; k++)
        t = c->scoring == THETA_PHRASES_NPMI ? (1 + t) / 2 : 2 * t;
    return t;
}

double theta_phrases_score(theta_phrases_scoring scoring, int64_t ca, int64_t cb, int64_t cab,
                           int64_t min_count, int64_t total)
{
    if (ca < min_count || cb < min_count || cab < min_count || ca <= 0 || cb <= 0 || cab <= 0 ||
        total <= 0)
        return -INFINITY;
    double n = (double)total;
    if (scoring == THETA_PHRASES_W2V)
        return (double)(cab - min_count) / (double)ca / (double)cb * n;
    /* npmi = ln(p(ab) / (p(a) p(b))) / -ln p(ab), p(x) = count(x) / total */
    double pab = (double)cab / n, pa = (double)ca / n, pb = (double)cb / n;
    if (pab >= 1)
        return 1;
    return log(pab / (pa * pb)) / -log(pab);
}

/* ---- counting --------------------------------------------------------------- */

/* Counts the words and within-sentence pairs of r into t. bytes_seen (if
 * set) follows the reader's position; *stop ends the count (THETA_EINTR).
 * Tokens go in groups: first every hash of the group, prefetching the
 * slots (the table is far larger than the caches), then the inserts. */
static theta_status count_reader(theta_phrases_table *t, theta_reader *r,
                                 _Atomic int64_t *bytes_seen, atomic_int *stop)
{
    enum { GROUP = 32 };
    const char *w[BATCH];
    uint32_t l[BATCH];
    uint32_t hw[GROUP], hp[GROUP]; /* hashes of each word and of the pair it ends */
    char prev[WORD_CAP], key[2 * WORD_CAP];
    size_t plen = 0;
    uint64_t pstate = 0; /* FNV state after the previous word */
    int have = 0;        /* prev holds the sentence's last word */
    theta_status st = THETA_OK;
    for (;;) {
        int n = theta_reader_next_batch(r, w, l, BATCH);
        if (n < 0)
            return THETA_EIO;
        if (n == 0)
            break;
        const char *pw = prev; /* the previous word: in prev or in the batch */
        for (int g = 0; g < n && !st; g += GROUP) {
            int m = n - g < GROUP ? n - g : GROUP;
            int have1 = have;
            for (int j = 0; j < m; j++) {
                int i = g + j;
                size_t len = l[i] > THETA_MAX_WORD ? THETA_MAX_WORD : l[i];
                if (len == 0 || is_eos(w[i], l[i])) {
                    have1 = 0;
                    continue;
                }
                uint64_t state = fnv(FNV_SEED, w[i], len);
                hw[j] = fnv_finish(state);
                __builtin_prefetch(&t->slot[hw[j] & t->mask]);
                if (have1) {
                    const char sep = PAIR_SEP;
                    hp[j] = fnv_finish(fnv(fnv(pstate, &sep, 1), w[i], len));
                    __builtin_prefetch(&t->slot[hp[j] & t->mask]);
                }
                pstate = state;
                have1 = 1;
            }
            for (int j = 0; j < m && !st; j++) {
                int i = g + j;
                size_t len = l[i] > THETA_MAX_WORD ? THETA_MAX_WORD : l[i];
                if (len == 0 || is_eos(w[i], l[i])) {
                    have = 0;
                    continue;
                }
                t->words++;
                st = add_key(t, w[i], len, hw[j], 1);
                if (!st && have)
                    st = add_key(t, key, pair_key(key, pw, plen, w[i], len), hp[j], 1);
                pw = w[i];
                plen = len;
                have = 1;
            }
        }
        if (st)
            return st;
        if (have && pw != prev)
            memcpy(prev, pw, plen); /* the batch's pointers die with the next call */
        if (bytes_seen)
            atomic_store(bytes_seen, theta_reader_bytes(r));
        if (stop && atomic_load(stop))
            return theta__fail(THETA_EINTR, "stopped");
    }
    t->bytes += theta_reader_bytes(r);
    return THETA_OK;
}

typedef struct {
    theta_segment seg;
    theta_phrases_table *t;
    theta_status st;
    char error[512];
    _Atomic int64_t bytes;
} count_part;

typedef struct {
    count_part *parts;
    int64_t max_entries; /* of each part */
    atomic_int stop;
    atomic_int done;
} count_job;

static void count_task(void *arg, int task)
{
    count_job *j = arg;
    count_part *p = &j->parts[task];
    theta_reader *r = NULL;
    p->t = table_new(j->max_entries);
    p->st = p->t ? theta_reader_open_segments(&p->seg, 1, &r) : THETA_ENOMEM;
    if (!p->st) {
        p->st = count_reader(p->t, r, &p->bytes, &j->stop);
        theta_status cst = theta_reader_close(r);
        if (!p->st)
            p->st = cst;
    }
    if (p->st) {
        snprintf(p->error, sizeof p->error, "%s", theta_last_error());
        atomic_store(&j->stop, 1); /* the others need not go on */
    }
    atomic_fetch_add(&j->done, 1);
}

/* Adds every entry of from to into (pruning as counting does). */
static theta_status merge_table(theta_phrases_table *into, const theta_phrases_table *from)
{
    for (size_t off = 0; off < from->used;) {
        const record *r = rec_at(from, off);
        theta_status st = add_key(into, rec_key(r), r->len, r->hash, r->count);
        if (st)
            return st;
        off += REC_SIZE(r->len);
    }
    into->words += from->words;
    into->bytes += from->bytes;
    into->pruned += from->pruned;
    if (from->pruned_below > into->pruned_below)
        into->pruned_below = from->pruned_below;
    return THETA_OK;
}

static void sleep_briefly(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

typedef struct {
    const theta_phrases_hooks *hooks;
    theta_phrases_progress p;
    double last;
} progress_state;

/* Calls the progress hook at most every PROGRESS_EVERY seconds (always when
 * force); 1 if it asked to stop. */
static int report(progress_state *ps, int64_t done, int force)
{
    if (!ps || !ps->hooks || !ps->hooks->progress)
        return 0;
    double now = theta_now();
    if (!force && now - ps->last < PROGRESS_EVERY)
        return 0;
    ps->last = now;
    ps->p.bytes_done = ps->p.bytes_total >= 0 && done > ps->p.bytes_total ? ps->p.bytes_total : done;
    return ps->hooks->progress(&ps->p, ps->hooks->user) != 0;
}

/* Each part of a split file gets an equal share of the entries and the
 * parts are summed into one table of max_entries, so at most about twice
 * max_entries are held at once. Pairs never cross a line, and a line goes
 * to exactly one part: without pruning, the counts equal one pass's. */
static theta_status count_file(const char *path, const theta_phrases_config *cfg,
                               progress_state *ps, theta_phrases_table **out)
{
    int64_t total = -1;
    int n = theta__split_parts(path, cfg->threads, &total);
    int64_t cap = cfg->max_entries > 0 ? cfg->max_entries : DEFAULT_MAX_ENTRIES;
    count_job j;
    memset(&j, 0, sizeof j);
    j.parts = theta__calloc((size_t)n, sizeof *j.parts);
    if (!j.parts)
        return THETA_ENOMEM;
    j.max_entries = n > 1 ? (cap / n > 16 ? cap / n : 16) : cap;
    atomic_init(&j.stop, 0);
    atomic_init(&j.done, 0);
    for (int i = 0; i < n; i++) {
        j.parts[i].seg = (theta_segment){path, n > 1 ? total * i / n : 0,
                                         n > 1 && i + 1 < n ? total * (i + 1) / n : -1};
        atomic_init(&j.parts[i].bytes, 0);
    }
    if (ps)
        ps->p.bytes_total = total;
    theta__pool *pool;
    theta_status st = theta__pool_start(n, n, count_task, &j, &pool);
    if (st) {
        free(j.parts);
        return st;
    }
    int stopped = 0;
    while (atomic_load(&j.done) < n) {
        int64_t done = 0;
        for (int i = 0; i < n; i++)
            done += atomic_load(&j.parts[i].bytes);
        if (!stopped && report(ps, done, 0)) {
            stopped = 1;
            atomic_store(&j.stop, 1);
        }
        sleep_briefly();
    }
    theta__pool_join(pool);
    for (int i = 0; i < n && !st; i++)
        if (j.parts[i].st)
            st = theta__fail(j.parts[i].st, "%s", j.parts[i].error);
    if (!st && stopped)
        st = theta__fail(THETA_EINTR, "stopped");
    theta_phrases_table *t = j.parts[0].t;
    if (!st && t) {
        t->max_entries = cap;
        for (int i = 1; i < n && !st; i++) {
            st = merge_table(t, j.parts[i].t);
            theta_phrases_table_free(j.parts[i].t);
            j.parts[i].t = NULL;
        }
    }
    for (int i = st ? 0 : 1; i < n; i++)
        theta_phrases_table_free(j.parts[i].t);
    free(j.parts);
    if (st)
        return st;
    if (n > 1)
        t->bytes = total; /* a range reader also counts the bytes it skipped */
    if (ps)
        report(ps, t->bytes, 1);
    *out = t;
    return THETA_OK;
}

theta_status theta_phrases_count(const char *path, const theta_phrases_config *cfg,
                                 theta_phrases_table **out)
{
    theta_status st = theta_phrases_config_validate(cfg);
    if (st)
        return st;
    if (strcmp(path, "-") == 0)
        return theta__fail(THETA_EINVAL, "theta_phrases_count cannot read standard input "
                                         "(spool it first)");
    return count_file(path, cfg, NULL, out);
}

/* ---- the phrases above a threshold (--save-phrases) ------------------------ */

typedef struct {
    char *phrase; /* a + delimiter + b */
    double score;
    int64_t count;
} phrase_line;

typedef struct {
    phrase_line *v;
    size_t n, cap;
} phrase_list;

static void phrase_list_free(phrase_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].phrase);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int compare_lines(const void *a, const void *b)
{
    const phrase_line *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->phrase, y->phrase);
}

/* The pairs of t scoring above threshold: into the set (keys "a b"), and
 * if list is set, appended to it (sorted by score, best first). A pair
 * whose joined token would be longer than THETA_MAX_WORD is never joined. */
static theta_status collect_phrases(const theta_phrases_table *t, const theta_phrases_config *cfg,
                                    double threshold, theta_phrases_table *set, phrase_list *list)
{
    size_t dlen = strlen(cfg->delimiter), first = list ? list->n : 0;
    for (size_t off = 0; off < t->used; off += REC_SIZE(rec_at(t, off)->len)) {
        const record *r = rec_at(t, off);
        const char *k = rec_key(r);
        const char *sep = memchr(k, PAIR_SEP, r->len);
        if (!sep)
            continue;
        size_t alen = (size_t)(sep - k), blen = r->len - alen - 1;
        if (alen + dlen + blen > THETA_MAX_WORD)
            continue;
        double s = theta_phrases_score(cfg->scoring, lookup(t, k, alen), lookup(t, sep + 1, blen),
                                       r->count, cfg->min_count, t->words);
        if (!(s > threshold))
            continue;
        theta_status st = add_key(set, k, r->len, r->hash, 1);
        if (st)
            return st;
        if (!list)
            continue;
        if (list->n == list->cap) {
            size_t cap = list->cap ? list->cap * 2 : 256;
            phrase_line *v = realloc(list->v, cap * sizeof *v);
            if (!v)
                return theta__fail(THETA_ENOMEM, "out of memory listing the phrases");
            list->v = v;
            list->cap = cap;
        }
        char *p = theta__alloc(alen + dlen + blen + 1, 1);
        if (!p)
            return THETA_ENOMEM;
        memcpy(p, k, alen);
        memcpy(p + alen, cfg->delimiter, dlen);
        memcpy(p + alen + dlen, sep + 1, blen);
        p[alen + dlen + blen] = '\0';
        list->v[list->n++] = (phrase_line){p, s, r->count};
    }
    if (list)
        qsort(list->v + first, list->n - first, sizeof *list->v, compare_lines);
    return THETA_OK;
}

static theta_status write_phrases(const char *path, const phrase_list *l)
{
    theta__outfile o;
    theta_status st = theta__out_open(&o, path);
    if (st)
        return st;
    for (size_t i = 0; i < l->n; i++)
        if (fprintf(o.f, "%s %.6g %lld\n", l->v[i].phrase, l->v[i].score,
                    (long long)l->v[i].count) < 0) {
            st = theta__fail(THETA_EIO, "%s: write failed: %s", path, strerror(errno));
            theta__out_abort(&o);
            return st;
        }
    return theta__out_commit(&o);
}

/* ---- rewriting ---------------------------------------------------------------- */

static int put(FILE *f, const char *s, size_t n)
{
    return fwrite(s, 1, n, f) == n ? 0 : -1;
}

/* Writes path's tokens to out, one sentence per line, joining the pairs in
 * set (see collect_phrases) greedily left to right as word2phrase does: a
 * word that joined its left neighbour is not joined again with its right
 * one in this pass. bytes: the input's size, for the progress. */
static theta_status rewrite(const theta_phrases_table *set, const theta_phrases_config *cfg,
                            int64_t bytes, const char *path, FILE *out, progress_state *ps,
                            theta_phrases_pass_stats *ps_out, int64_t *tokens_out)
{
    theta_reader *r;
    theta_status st = theta_reader_open(path, &r);
    if (st)
        return st;
    const char *w[BATCH];
    uint32_t l[BATCH];
    char prev[WORD_CAP], key[2 * WORD_CAP];
    size_t plen = 0, dlen = strlen(cfg->delimiter);
    int64_t joins = 0, tokens = 0;
    int free_prev = 0; /* prev stands alone on the output: it may join the next word */
    int line = 0;      /* the current output line holds a token */
    int werr = 0;
    if (ps) {
        ps->p.writing = 1;
        ps->p.bytes_total = bytes;
    }
    for (;;) {
        int n = theta_reader_next_batch(r, w, l, BATCH);
        if (n < 0) {
            st = THETA_EIO;
            break;
        }
        if (n == 0)
            break;
        const char *pw = prev;
        for (int i = 0; i < n && !werr; i++) {
            size_t len = l[i] > THETA_MAX_WORD ? THETA_MAX_WORD : l[i];
            if (len == 0 || is_eos(w[i], l[i])) {
                werr = fputc('\n', out) == EOF;
                line = free_prev = 0;
                continue;
            }
            int join = 0;
            if (free_prev && set->n > 0 && plen + dlen + len <= THETA_MAX_WORD) {
                size_t k = pair_key(key, pw, plen, w[i], len);
                join = lookup(set, key, k) > 0;
            }
            if (join) {
                werr = put(out, cfg->delimiter, dlen) || put(out, w[i], len);
                joins++;
            } else {
                werr = (line && fputc(' ', out) == EOF) || put(out, w[i], len);
                tokens++;
            }
            free_prev = !join;
            line = 1;
            pw = w[i];
            plen = len;
        }
        if (werr)
            break;
        if (line && pw != prev)
            memcpy(prev, pw, plen);
        if (report(ps, theta_reader_bytes(r), 0)) {
            st = theta__fail(THETA_EINTR, "stopped");
            break;
        }
    }
    if (!st && !werr && line)
        werr = fputc('\n', out) == EOF; /* the last line had no newline */
    if (werr && !st)
        st = theta__fail(THETA_EIO, "writing the output failed: %s", strerror(errno));
    theta_status cst = theta_reader_close(r);
    if (!st)
        st = cst;
    if (!st) {
        ps_out->joins = joins;
        *tokens_out = tokens;
        report(ps, bytes, 1);
    }
    return st;
}

/* ---- the passes ----------------------------------------------------------------- */

/* An unlinked temporary file in $TMPDIR (or /tmp): *fd stays open for
 * reading through *path (/dev/fd/N); *w writes it. Gone at exit whatever
 * happens. */
static theta_status temp_open(int *fd, FILE **w, char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/theta-phrases-XXXXXX", dir);
    int f = mkstemp(tmpl);
    if (f < 0)
        return theta__fail(THETA_EIO, "cannot create a temporary file in %s: %s", dir,
                           strerror(errno));
    unlink(tmpl);
    int wfd = dup(f);
    *w = wfd >= 0 ? fdopen(wfd, "wb") : NULL;
    if (!*w) {
        theta_status st = theta__fail(THETA_EIO, "cannot write a temporary file in %s: %s", dir,
                                      strerror(errno));
        if (wfd >= 0)
            close(wfd);
        close(f);
        return st;
    }
    *fd = f;
    snprintf(path, size, "/dev/fd/%d", f);
    return THETA_OK;
}

/* A failure while reading the spooled standard input names it so. */
static theta_status rename_input(theta_status st, const char *internal, const char *shown)
{
    const char *msg = theta_last_error();
    size_t n = strlen(internal);
    if (st && strncmp(msg, internal, n) == 0) {
        char copy[1024];
        snprintf(copy, sizeof copy, "%s", msg + n);
        return theta__fail(st, "%s%s", shown, copy);
    }
    return st;
}

/* One theta_phrases_run: its files and what the passes found. */
typedef struct {
    const theta_phrases_config *cfg;
    const theta_phrases_hooks *hooks;
    theta_phrases_stats *stats;
    char spool[64], cur[64], next[64];
    int spool_fd, cur_fd, next_fd;
    const char *input;   /* the corpus as given ("-": standard input) */
    const char *in;      /* this pass's input: the corpus, its spool or the last pass's output */
    theta__outfile out;
    int out_open;
    FILE *tmpw;          /* the next pass's input, being written */
    phrase_list list;    /* for --save-phrases */
    progress_state ps;
} phrases_job;

/* A failure while reading the spool names the input it copies. */
static theta_status named(phrases_job *j, theta_status st)
{
    if (!st || j->in != j->spool)
        return st;
    return rename_input(st, j->spool, strcmp(j->input, "-") == 0 ? "standard input" : j->input);
}

/* Counts this pass's input and collects the pairs that score above the
 * threshold into *set; the counts are dropped, the input's size kept. */
static theta_status count_pass(phrases_job *j, theta_phrases_pass_stats *s,
                               theta_phrases_table **set, int64_t *bytes)
{
    theta_phrases_table *t = NULL;
    theta_status st = named(j, count_file(j->in, j->cfg, &j->ps, &t));
    if (st)
        return st;
    s->words = t->words;
    s->entries = (int64_t)t->n;
    s->pruned = t->pruned;
    s->pruned_below = t->pruned_below;
    *bytes = t->bytes;
    if (!(*set = table_new(0)))
        st = THETA_ENOMEM;
    else
        st = collect_phrases(t, j->cfg, s->threshold, *set,
                             j->hooks->save_phrases ? &j->list : NULL);
    if (!st)
        s->phrases = (int64_t)(*set)->n;
    theta_phrases_table_free(t); /* the set is all the rewrite needs */
    return st;
}

/* The finished temporary output becomes the next pass's input. */
static theta_status next_input(phrases_job *j)
{
    int bad = fclose(j->tmpw) != 0;
    j->tmpw = NULL;
    if (bad)
        return theta__fail(THETA_EIO, "writing a temporary file failed: %s", strerror(errno));
    /* this pass's input is no longer needed */
    if (j->cur_fd >= 0)
        close(j->cur_fd);
    if (j->spool_fd >= 0) {
        close(j->spool_fd);
        j->spool_fd = -1;
    }
    j->cur_fd = j->next_fd;
    j->next_fd = -1;
    memcpy(j->cur, j->next, sizeof j->cur);
    j->in = j->cur;
    return THETA_OK;
}

/* Pass k: count, pick the phrases, rewrite into the output (last pass) or
 * a temporary file (the next pass's input). */
static theta_status run_pass(phrases_job *j, int k)
{
    theta_phrases_pass_stats *s = &j->stats->pass[k];
    const int last = k + 1 == j->cfg->passes;
    s->threshold = theta_phrases_pass_threshold(j->cfg, k);
    j->ps.p.pass = k + 1;
    j->ps.p.writing = 0;
    j->ps.last = 0;
    theta_phrases_table *set = NULL;
    int64_t bytes = 0;
    theta_status st = count_pass(j, s, &set, &bytes);
    j->stats->passes = k + 1;
    FILE *dst = j->out_open ? j->out.f : j->hooks->stream;
    if (!st && !last && !(st = temp_open(&j->next_fd, &j->tmpw, j->next, sizeof j->next))) {
        setvbuf(j->tmpw, NULL, _IOFBF, 1 << 20);
        dst = j->tmpw;
    }
    j->ps.last = 0;
    if (!st)
        st = named(j, rewrite(set, j->cfg, bytes, j->in, dst, &j->ps, s, &j->stats->tokens_out));
    theta_phrases_table_free(set);
    if (!st && !last)
        st = next_input(j);
    return st;
}

/* After the last pass: the phrase list, then the output made final. */
static theta_status finish(phrases_job *j)
{
    const theta_phrases_hooks *h = j->hooks;
    theta_status st;
    if (h->save_phrases && (st = write_phrases(h->save_phrases, &j->list)))
        return st;
    if (!j->out_open) {
        if (fflush(h->stream) != 0 || ferror(h->stream))
            return theta__fail(THETA_EIO, "writing the output failed: %s", strerror(errno));
        return THETA_OK;
    }
    j->out_open = 0;
    if ((st = theta__out_commit(&j->out)) && h->save_phrases)
        remove(h->save_phrases);
    return st;
}

static void job_free(phrases_job *j)
{
    if (j->out_open)
        theta__out_abort(&j->out);
    if (j->tmpw)
        fclose(j->tmpw);
    if (j->next_fd >= 0)
        close(j->next_fd);
    if (j->cur_fd >= 0)
        close(j->cur_fd);
    if (j->spool_fd >= 0)
        close(j->spool_fd);
    phrase_list_free(&j->list);
}

theta_status theta_phrases_run(const char *input, const theta_phrases_config *cfg,
                               const theta_phrases_hooks *hooks, theta_phrases_stats *stats)
{
    theta_status st = theta_phrases_config_validate(cfg);
    if (st)
        return st;
    theta_phrases_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!hooks->output && !hooks->stream)
        return theta__fail(THETA_EINVAL, "no output for the phrases");
    phrases_job j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg;
    j.hooks = hooks;
    j.stats = stats;
    j.spool_fd = j.cur_fd = j.next_fd = -1;
    j.input = j.in = input;
    j.ps.hooks = hooks;
    j.ps.p.passes = cfg->passes;
    /* the output first: an unwritable path fails before the long work */
    if (hooks->output && !(st = theta__out_open(&j.out, hooks->output))) {
        j.out_open = 1;
        setvbuf(j.out.f, NULL, _IOFBF, 1 << 20);
    }
    /* every pass reads its input twice: a stream is copied first */
    if (!st && (strcmp(input, "-") == 0 || theta_input_is_stream(input)) &&
        !(st = theta_spool_open(input, j.spool, sizeof j.spool, &j.spool_fd, NULL)))
        j.in = j.spool;
    for (int k = 0; !st && k < cfg->passes; k++)
        st = run_pass(&j, k);
    if (!st)
        st = finish(&j);
    job_free(&j);
    return st;
}
