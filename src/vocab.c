/*
 * vocab.c — the vocabulary: an open-addressing hash of words to ids with
 * counts; bounded memory while counting (the rarest words are pruned when
 * the table passes a cap, as word2vec does); finalized by min-count and
 * max-vocab, sorted by count then bytes so ids are deterministic, with </s>
 * always at id 0. Reads and writes word2vec's "word count" files.
 */
#include "internal.h"
#include "pool.h"
#include "vocab_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PRUNE_LIMIT 21000000 /* distinct words held while counting */

/* 8 bytes at a time: multiply-xorshift mixing, then a final avalanche. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    while (len >= 8) {
        uint64_t k;
        memcpy(&k, s, 8);
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    /* the last 1..7 bytes without a variable-length copy (its byte stores
     * would stall the 8-byte load that follows): two overlapping loads */
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        h = (h ^ (a | (uint64_t)b << 32)) * 0xbf58476d1ce4e5b9ULL;
    } else if (len > 0) {
        const unsigned char *u = (const unsigned char *)s;
        uint64_t k = u[0] | (uint64_t)u[len / 2] << 8 | (uint64_t)u[len - 1] << 16;
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
    }
    h ^= h >> 29;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

/* One allocation holds the public and the private half. */
typedef struct {
    theta_vocab v;
    struct theta__vocab_hash h;
} vocab_block;

theta_vocab *theta_vocab_new(void)
{
    vocab_block *b = theta__calloc(1, sizeof *b);
    if (!b)
        return NULL;
    theta_vocab *v = &b->v;
    struct theta__vocab_hash *h = v->hash = &b->h;
    h->capacity = 1024;
    v->entries = theta__alloc((size_t)h->capacity, sizeof *v->entries);
    h->table_size = 2048;
    h->table = aligned_alloc(64, h->table_size * sizeof *h->table); /* a slot per half line */
    if (!v->entries || !h->table) {
        free(v->entries);
        free(h->table);
        free(b);
        return NULL;
    }
    memset(h->table, 0xff, h->table_size * sizeof *h->table);
    return v;
}

/* ---- the corpus as ids (theta__vocab_build_ids) ---------------------------- */

void theta__vocab_drop_ids(theta_vocab *v)
{
    struct theta__vocab_hash *h = v->hash;
    for (int i = 0; i < h->nruns; i++) {
        free(h->runs[i].code);
        free(h->runs[i].map);
    }
    free(h->runs);
    free(h->ids_path);
    h->runs = NULL;
    h->nruns = 0;
    h->ids_path = NULL;
    h->record_max = 0;
}

int theta__vocab_ids(const theta_vocab *v, const char *path, const theta__id_run **runs)
{
    const struct theta__vocab_hash *h = v->hash;
    if (!h->runs || !h->runs[0].map || !h->ids_path || strcmp(h->ids_path, path) != 0)
        return 0; /* (no map: not finalized) */
    *runs = h->runs;
    return h->nruns;
}

/* Starts recording into one run, at most record_max ids. */
static theta_status start_recording(theta_vocab *v, int64_t record_max)
{
    v->hash->runs = theta__calloc(1, sizeof *v->hash->runs);
    if (!v->hash->runs)
        return THETA_ENOMEM;
    v->hash->nruns = 1;
    v->hash->record_max = record_max;
    return THETA_OK;
}

/* Appends the code of id >= 0 (theta__id_decode) to r->code, which has room. */
static void put_code(theta__id_run *r, int32_t id)
{
    uint32_t u = (uint32_t)id;
    for (; u >= 0x80; u >>= 7)
        r->code[r->len++] = (uint8_t)(u | 0x80);
    r->code[r->len++] = (uint8_t)u;
}

/* Appends id to the last run; past record_max ids or out of memory, gives
 * up recording (the ids are an optimisation, the counts are what matter). */
static void record_id(theta_vocab *v, int32_t id)
{
    struct theta__vocab_hash *h = v->hash;
    theta__id_run *r = &h->runs[h->nruns - 1];
    if (r->n == h->record_max) {
        theta__vocab_drop_ids(v);
        return;
    }
    if (r->cap - r->len < 5) { /* the longest code */
        int64_t cap = r->cap ? r->cap * 2 : (int64_t)1 << 16;
        uint8_t *p = realloc(r->code, (size_t)cap);
        if (!p) {
            theta__vocab_drop_ids(v);
            return;
        }
        r->code = p;
        r->cap = cap;
    }
    put_code(r, id);
    r->n++;
}

/* The runs' ids in the final numbering: final (of the merged counting
 * vocabulary's ids, taken over) becomes the first run's map, and a run of
 * a part counted on its own maps through its map, then final. */
static void finalize_runs(theta_vocab *v, int32_t *final)
{
    struct theta__vocab_hash *h = v->hash;
    for (int i = 1; i < h->nruns; i++) {
        theta__id_run *r = &h->runs[i];
        for (int32_t k = 0; k < r->nmap; k++)
            r->map[k] = final[r->map[k]];
    }
    h->runs[0].map = final;
}

void theta_vocab_free(theta_vocab *v)
{
    if (!v)
        return;
    theta__vocab_drop_ids(v);
    for (int32_t i = 0; i < v->size; i++)
        free(v->entries[i].word);
    free(v->entries);
    free(v->hash->table);
    free(v);
}

static inline theta__vocab_slot make_slot(int32_t id, const char *w, size_t len, uint32_t h)
{
    theta__vocab_slot s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.hash = h;
    s.len = (uint8_t)(len < 255 ? len : 255);
    memcpy(s.head, w, len < THETA__VOCAB_HEAD ? len : THETA__VOCAB_HEAD);
    return s;
}

static inline int slot_holds(const theta_vocab *v, const theta__vocab_slot *s, const char *w,
                             size_t len, uint32_t h)
{
    if (s->hash != h || s->len != (len < 255 ? len : 255))
        return 0;
    if (len <= THETA__VOCAB_HEAD)
        return memcmp(s->head, w, len) == 0;
    const theta_vocab_entry *e = &v->entries[s->id];
    return e->len == len && memcmp(e->word, w, len) == 0;
}

static inline size_t slot_with_hash(const theta_vocab *v, const char *w, size_t len, uint32_t h)
{
    size_t mask = v->hash->table_size - 1;
    size_t i = (size_t)h & mask;
    for (;;) {
        const theta__vocab_slot *s = &v->hash->table[i];
        if (s->id < 0 || slot_holds(v, s, w, len, h))
            return i;
        i = (i + 1) & mask;
    }
}

static size_t slot_of(const theta_vocab *v, const char *w, size_t len)
{
    return slot_with_hash(v, w, len, hash_bytes(w, len));
}

int32_t theta_vocab_find(const theta_vocab *v, const char *word, size_t len)
{
    return v->hash->table[slot_of(v, word, len)].id;
}

/* Hashes n words and prefetches their hash slots, so the cache misses of a
 * batch overlap instead of following one another. */
static void prefetch_batch(const theta_vocab *v, const char *const *words, const uint32_t *lens,
                           int n, uint32_t *hashes)
{
    const size_t mask = v->hash->table_size - 1;
    for (int i = 0; i < n; i++) {
        hashes[i] = hash_bytes(words[i], lens[i]);
        __builtin_prefetch(&v->hash->table[hashes[i] & mask]);
    }
}

void theta_vocab_find_batch(const theta_vocab *v, const char *const *words, const uint32_t *lens,
                            int n, int32_t *ids)
{
    uint32_t hashes[THETA_VOCAB_BATCH];
    const theta__vocab_slot *table = v->hash->table;
    for (int start = 0; start < n; start += THETA_VOCAB_BATCH) {
        int k = n - start < THETA_VOCAB_BATCH ? n - start : THETA_VOCAB_BATCH;
        prefetch_batch(v, words + start, lens + start, k, hashes);
        for (int i = 0; i < k; i++) {
            const int j = start + i;
            ids[j] = table[slot_with_hash(v, words[j], lens[j], hashes[i])].id;
        }
    }
}

/* Rebuilds the hash for the current entries with a table of at least 2x size. */
static theta_status rehash(theta_vocab *v)
{
    size_t want = 1024;
    while (want < (size_t)v->size * 2 + 2)
        want <<= 1;
    theta__vocab_slot *t =
        want <= SIZE_MAX / sizeof *t ? aligned_alloc(64, want * sizeof *t) : NULL;
    if (!t)
        return theta__fail(THETA_ENOMEM, "out of memory for a vocabulary of %d words", v->size);
    free(v->hash->table);
    v->hash->table = t;
    v->hash->table_size = want;
    memset(v->hash->table, 0xff, want * sizeof *t);
    for (int32_t i = 0; i < v->size; i++) {
        const theta_vocab_entry *e = &v->entries[i];
        t[slot_with_hash(v, e->word, e->len, e->hash)] = make_slot(i, e->word, e->len, e->hash);
    }
    return THETA_OK;
}

/* word2vec's rule: drop every word with count <= the running threshold, then
 * raise the threshold, until the table is back under its cap. */
static theta_status prune(theta_vocab *v)
{
    int64_t threshold = v->pruned_below > 1 ? v->pruned_below - 1 : 1;
    theta__vocab_drop_ids(v); /* the ids change */
    while (v->size > v->hash->prune_limit / 2 + 1) {
        int32_t kept = 0;
        for (int32_t i = 0; i < v->size; i++) {
            theta_vocab_entry e = v->entries[i];
            if (e.count > threshold || strcmp(e.word, THETA_EOS) == 0) {
                v->entries[kept++] = e;
            } else {
                v->total -= e.count;
                v->pruned_words++;
                free(e.word);
            }
        }
        v->size = kept;
        v->pruned_below = threshold + 1;
        threshold++;
    }
    return rehash(v);
}

/* Adds count to word (hash h); its id in *idp (may be NULL), which a
 * pruning this causes may change. */
static theta_status add_hashed(theta_vocab *v, const char *word, size_t len, int64_t count,
                               uint32_t h, int32_t *idp)
{
    size_t s = slot_with_hash(v, word, len, h);
    int32_t id = v->hash->table[s].id;
    if (id >= 0) {
        v->entries[id].count += count;
        v->total += count;
        if (idp)
            *idp = id;
        return THETA_OK;
    }
    if (v->size == INT32_MAX - 1)
        return theta__fail(THETA_ENOMEM, "vocabulary exceeds %d words", INT32_MAX - 1);
    if (v->size == v->hash->capacity) {
        int64_t cap = (int64_t)v->hash->capacity * 2;
        if (cap > INT32_MAX)
            cap = INT32_MAX;
        theta_vocab_entry *e = realloc(v->entries, (size_t)cap * sizeof *e);
        if (!e)
            return theta__fail(THETA_ENOMEM, "out of memory growing the vocabulary");
        v->entries = e;
        v->hash->capacity = (int32_t)cap;
    }
    char *copy = theta__alloc(len + 1, 1);
    if (!copy)
        return THETA_ENOMEM;
    memcpy(copy, word, len);
    copy[len] = '\0';
    id = v->size++;
    if (idp)
        *idp = id;
    v->entries[id].word = copy;
    v->entries[id].count = count;
    v->entries[id].len = (uint32_t)len;
    v->entries[id].hash = h;
    v->total += count;
    v->hash->table[s] = make_slot(id, copy, len, h);
    if ((size_t)v->size * 2 > v->hash->table_size) {
        theta_status st = rehash(v);
        if (st)
            return st;
    }
    if (v->hash->prune_limit > 0 && v->size > v->hash->prune_limit)
        return prune(v);
    return THETA_OK;
}

theta_status theta_vocab_add(theta_vocab *v, const char *word, size_t len, int64_t count)
{
    return add_hashed(v, word, len, count, hash_bytes(word, len), NULL);
}

static int compare_entries(const void *a, const void *b)
{
    const theta_vocab_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word); /* bytes; strcmp compares as unsigned char */
}

/* With recorded ids, finalize keeps the words it drops (*dropped) until
 * the ids are renumbered: each old entry's new id is a lookup of its word. */
typedef struct {
    theta_vocab_entry *old; /* [n] the entries before */
    int32_t n;
    char **dropped;         /* [ndropped] words to free at the end */
    int32_t ndropped;
} renumbering;

static void drop_word(renumbering *rn, char *word)
{
    if (rn->old)
        rn->dropped[rn->ndropped++] = word;
    else
        free(word);
}

static void begin_renumbering(theta_vocab *v, renumbering *rn)
{
    memset(rn, 0, sizeof *rn);
    if (!v->hash->runs)
        return;
    rn->n = v->size;
    rn->old = theta__alloc((size_t)v->size + 1, sizeof *rn->old);
    rn->dropped = theta__alloc((size_t)v->size + 1, sizeof *rn->dropped);
    if (!rn->old || !rn->dropped) {
        free(rn->old);
        free(rn->dropped);
        memset(rn, 0, sizeof *rn);
        theta__vocab_drop_ids(v);
        return;
    }
    memcpy(rn->old, v->entries, (size_t)v->size * sizeof *rn->old);
}

/* The recorded ids in the final numbering (if rehashed, so lookups work), then the frees. */
static void end_renumbering(theta_vocab *v, renumbering *rn, int rehashed)
{
    if (!rn->old)
        return;
    int32_t *map = rehashed ? theta__alloc((size_t)rn->n + 1, sizeof *map) : NULL;
    if (map) {
        for (int32_t i = 0; i < rn->n; i++)
            map[i] = theta_vocab_find(v, rn->old[i].word, rn->old[i].len);
        finalize_runs(v, map);
    } else {
        theta__vocab_drop_ids(v);
    }
    for (int32_t i = 0; i < rn->ndropped; i++)
        free(rn->dropped[i]);
    free(rn->dropped);
    free(rn->old);
}

theta_status theta_vocab_finalize(theta_vocab *v, int64_t min_count, int64_t max_vocab)
{
    renumbering rn;
    begin_renumbering(v, &rn);
    int32_t eos = theta_vocab_find(v, THETA_EOS, sizeof THETA_EOS - 1);
    if (eos < 0) {
        theta_status st = theta_vocab_add(v, THETA_EOS, sizeof THETA_EOS - 1, 0);
        if (st) {
            end_renumbering(v, &rn, 0);
            return st;
        }
        eos = theta_vocab_find(v, THETA_EOS, sizeof THETA_EOS - 1);
    }
    /* </s> first, then the kept words */
    theta_vocab_entry tmp = v->entries[0];
    v->entries[0] = v->entries[eos];
    v->entries[eos] = tmp;
    int32_t kept = 1;
    int64_t dropped = 0;
    for (int32_t i = 1; i < v->size; i++) {
        if (v->entries[i].count >= min_count) {
            v->entries[kept++] = v->entries[i];
        } else {
            dropped++;
            drop_word(&rn, v->entries[i].word);
        }
    }
    qsort(v->entries + 1, (size_t)(kept - 1), sizeof *v->entries, compare_entries);
    if (max_vocab > 0 && kept > max_vocab) {
        for (int32_t i = (int32_t)max_vocab; i < kept; i++)
            drop_word(&rn, v->entries[i].word);
        dropped += kept - max_vocab;
        kept = (int32_t)max_vocab;
    }
    v->size = kept;
    v->dropped_words += dropped;
    v->total = 0;
    for (int32_t i = 0; i < kept; i++)
        v->total += v->entries[i].count;
    theta_status st = rehash(v);
    end_renumbering(v, &rn, st == THETA_OK);
    return st;
}

theta_status theta_vocab_count(theta_vocab *v, theta_reader *r)
{
    /* tokens are counted a batch at a time so their cache misses overlap */
    const char *words[THETA_VOCAB_BATCH];
    uint32_t lens[THETA_VOCAB_BATCH], hashes[THETA_VOCAB_BATCH];
    int n;
    while ((n = theta_reader_next_batch(r, words, lens, THETA_VOCAB_BATCH)) > 0) {
        prefetch_batch(v, words, lens, n, hashes);
        /* and the entries whose counts will change (a word's first slot is
         * nearly always its own) */
        const size_t mask = v->hash->table_size - 1;
        for (int i = 0; i < n; i++) {
            int32_t id = v->hash->table[hashes[i] & mask].id;
            if (id >= 0)
                __builtin_prefetch(&v->entries[id].count, 1);
        }
        for (int i = 0; i < n; i++) {
            int32_t id;
            theta_status st = add_hashed(v, words[i], lens[i], 1, hashes[i], &id);
            if (st)
                return st;
            if (v->hash->runs)
                record_id(v, id);
        }
    }
    if (n < 0)
        return THETA_EIO;
    v->bytes_read += theta_reader_bytes(r);
    return THETA_OK;
}

/* ---- counting a corpus ---------------------------------------------------- */

#define SPLIT_MIN_BYTES (1 << 20) /* no part of a split count is smaller than this */

/* Counts r into v and closes it (a truncated gzip stream shows at the
 * close). open_end (may be NULL): 1 if the input did not end with a
 * newline, 0 if it did, -1 if it was empty. */
static theta_status count_and_close(theta_vocab *v, theta_reader *r, int *open_end)
{
    theta_status st = theta_vocab_count(v, r);
    if (open_end) {
        int last = theta__reader_last_byte(r);
        *open_end = last < 0 ? -1 : last != '\n';
    }
    theta_status cst = theta_reader_close(r);
    return st ? st : cst;
}

/* theta__vocab_count_segments, recording up to record_max ids (0: none). */
static theta_status count_segments(const theta_segment *segs, int nsegs, int64_t prune_limit,
                                   int64_t record_max, theta_vocab **out)
{
    theta_vocab *v = theta_vocab_new();
    if (!v)
        return THETA_ENOMEM;
    v->hash->prune_limit = prune_limit;
    theta_reader *r = NULL;
    theta_status st = record_max > 0 ? start_recording(v, record_max) : THETA_OK;
    if (!st && nsegs > 0)
        st = theta_reader_open_segments(segs, nsegs, &r);
    if (!st && r)
        st = count_and_close(v, r, NULL);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

theta_status theta__vocab_count_segments(const theta_segment *segs, int nsegs,
                                        int64_t prune_limit, theta_vocab **out)
{
    return count_segments(segs, nsegs, prune_limit, 0, out);
}

typedef struct {
    theta_segment seg;
    int64_t prune_limit;
    int64_t record_max;
    theta_vocab *v;
    theta_status st;
    char error[512]; /* theta_last_error() of the thread that failed */
} count_part;

static void count_part_task(void *arg, int task)
{
    count_part *c = (count_part *)arg + task;
    c->st = count_segments(&c->seg, 1, c->prune_limit, c->record_max, &c->v);
    if (c->st)
        snprintf(c->error, sizeof c->error, "%s", theta_last_error());
}

int theta__split_parts(const char *path, int threads, int64_t *bytes)
{
    *bytes = -1;
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        theta__file_is_gzip(path))
        return 1;
    *bytes = (int64_t)sb.st_size;
    int64_t most = *bytes / SPLIT_MIN_BYTES;
    if (threads < 2 || most < 2)
        return 1;
    return threads < most ? threads : (int)most;
}

/* Adds every entry of from to into (pruning as counting does); map (may
 * be NULL): from's ids as into's. */
static theta_status merge_counts(theta_vocab *into, const theta_vocab *from, int32_t *map)
{
    for (int32_t i = 0; i < from->size; i++) {
        const theta_vocab_entry *e = &from->entries[i];
        theta_status st = add_hashed(into, e->word, e->len, e->count, e->hash, map ? &map[i] : NULL);
        if (st)
            return st;
    }
    into->pruned_words += from->pruned_words;
    if (from->pruned_below > into->pruned_below)
        into->pruned_below = from->pruned_below;
    return THETA_OK;
}

/* merge_counts of a part counted later, whose recorded ids (if both kept
 * theirs) follow into's, renumbered; if either has none, into keeps none. */
static theta_status merge_part(theta_vocab *into, theta_vocab *from)
{
    struct theta__vocab_hash *hi = into->hash, *hf = from->hash;
    int32_t *map = NULL;
    theta__id_run *runs = NULL;
    if (hi->runs && hf->runs) {
        map = theta__alloc((size_t)from->size + 1, sizeof *map);
        runs = map ? realloc(hi->runs, (size_t)(hi->nruns + 1) * sizeof *runs) : NULL;
    }
    if (runs)
        hi->runs = runs;
    else
        theta__vocab_drop_ids(into);
    theta_status st = merge_counts(into, from, runs ? map : NULL);
    if (!st && hi->runs) { /* (a pruning in the merge dropped them) */
        hi->runs[hi->nruns] = hf->runs[0]; /* a part's count records one run */
        hi->runs[hi->nruns].map = map;
        hi->runs[hi->nruns++].nmap = from->size;
        hf->nruns = 0; /* the run and the map belong to into now */
        return st;
    }
    free(map);
    return st;
}

/* A plain file is cut into `threads` byte ranges (each line goes to the range
 * it starts in), counted in parallel and the counts summed: the same counts
 * as one pass, since counting does not depend on order. (Only when a part
 * has to prune, which takes tens of millions of distinct words, can the
 * result differ from one pass; pruning is approximate either way.) */
static theta_status count_file(const char *path, int64_t prune_limit, int threads,
                               int64_t max_ids, theta_vocab **out)
{
    int64_t bytes = 0;
    int parts = theta__split_parts(path, threads, &bytes);
    if (parts < 2) {
        theta_segment whole = {path, 0, -1};
        return count_segments(&whole, 1, prune_limit, max_ids, out);
    }
    count_part *c = theta__calloc((size_t)parts, sizeof *c);
    if (!c)
        return THETA_ENOMEM;
    for (int i = 0; i < parts; i++) {
        c[i].seg = (theta_segment){path, bytes * i / parts, i + 1 == parts ? -1 : bytes * (i + 1) / parts};
        c[i].prune_limit = prune_limit;
        c[i].record_max = max_ids / parts;
    }
    theta__pool_run(parts, parts, count_part_task, c);
    theta_status st = THETA_OK;
    for (int i = 0; i < parts && !st; i++)
        if (c[i].st)
            st = theta__fail(c[i].st, "%s", c[i].error);
    for (int i = 1; i < parts && !st; i++)
        st = merge_part(c[0].v, c[i].v);
    if (!st)
        c[0].v->bytes_read = bytes;
    for (int i = st ? 0 : 1; i < parts; i++)
        theta_vocab_free(c[i].v);
    if (!st)
        *out = c[0].v;
    free(c);
    return st;
}

/* theta_vocab_build_threads, keeping up to max_ids ids (0: none) if they can be kept. */
static theta_status build_file(const char *path, int64_t min_count, int64_t max_vocab,
                               int64_t prune_limit, int threads, int64_t max_ids,
                               theta_vocab **out)
{
    theta_vocab *v = NULL;
    theta_status st = count_file(path, theta_vocab_prune_limit(prune_limit), threads, max_ids, &v);
    if (st)
        return st;
    v->hash->record_max = 0;
    if (v->hash->runs && !(v->hash->ids_path = strdup(path)))
        theta__vocab_drop_ids(v);
    st = theta_vocab_finalize(v, min_count, max_vocab);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

theta_status theta_vocab_build_threads(const char *path, int64_t min_count, int64_t max_vocab,
                                       int64_t prune_limit, int threads, theta_vocab **out)
{
    return build_file(path, min_count, max_vocab, prune_limit, threads, 0, out);
}

theta_status theta__vocab_build_ids(const char *path, int64_t min_count, int64_t max_vocab,
                                    int64_t prune_limit, int64_t max_ids, int threads,
                                    theta_vocab **out)
{
    return build_file(path, min_count, max_vocab, prune_limit, threads, max_ids, out);
}

/* Counts one file of several into *out (not finalized) and tells whether
 * its decoded bytes end without a newline (*open_end: -1 empty, 0 newline,
 * 1 other). */
static theta_status count_one_of_many(const char *path, int64_t prune_limit, int threads,
                                      theta_vocab **out, int *open_end)
{
    int64_t bytes = 0;
    if (theta__split_parts(path, threads, &bytes) >= 2) {
        /* a large plain file, counted in parallel; its last byte is on disk */
        theta_status st = count_file(path, prune_limit, threads, 0, out);
        if (st)
            return st;
        unsigned char last = '\n';
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || pread(fd, &last, 1, (off_t)(bytes - 1)) != 1) {
            st = theta__fail(THETA_EIO, "%s: read error: %s", path, strerror(errno));
            theta_vocab_free(*out);
        }
        if (fd >= 0)
            close(fd);
        *open_end = last != '\n';
        return st;
    }
    theta_vocab *v = theta_vocab_new();
    if (!v)
        return THETA_ENOMEM;
    v->hash->prune_limit = prune_limit;
    theta_reader *r;
    theta_status st = theta_reader_open(path, &r);
    if (!st)
        st = count_and_close(v, r, open_end);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

theta_status theta_vocab_build_files(const char *const *paths, int n, int64_t min_count,
                                     int64_t max_vocab, int64_t prune_limit, int threads,
                                     theta_vocab **out)
{
    if (n < 1)
        return theta__fail(THETA_EINVAL, "no corpus file to count");
    /* every file opens before any is counted: a missing tenth file is
     * reported at once, not after counting nine */
    for (int i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0)
            continue;
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return theta__fail(THETA_EIO, "%s: cannot open: %s", paths[i], strerror(errno));
        close(fd);
    }
    if (n == 1)
        return theta_vocab_build_threads(paths[0], min_count, max_vocab, prune_limit, threads, out);
    const int64_t limit = theta_vocab_prune_limit(prune_limit);
    theta_vocab *v = NULL;
    int open_end = -1;
    theta_status st = count_one_of_many(paths[0], limit, threads, &v, &open_end);
    /* the reader of several files ends a sentence between two files when
     * the earlier one does not end with a newline and a later one has bytes
     * (theta_reader_open_segments): so many more </s> in the corpus */
    int pending = open_end == 1;
    for (int i = 1; i < n && !st; i++) {
        theta_vocab *part = NULL;
        st = count_one_of_many(paths[i], limit, threads, &part, &open_end);
        if (st)
            break;
        if (open_end >= 0 && pending) {
            st = theta_vocab_add(part, THETA_EOS, sizeof THETA_EOS - 1, 1);
            pending = 0;
        }
        if (open_end == 1)
            pending = 1;
        if (!st)
            st = merge_counts(v, part, NULL);
        v->bytes_read += part->bytes_read;
        theta_vocab_free(part);
    }
    if (!st)
        st = theta_vocab_finalize(v, min_count, max_vocab);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

theta_status theta_vocab_build(const char *path, int64_t min_count, int64_t max_vocab,
                               int64_t prune_limit, theta_vocab **out)
{
    return theta_vocab_build_threads(path, min_count, max_vocab, prune_limit, 1, out);
}

int64_t theta_vocab_prune_limit(int64_t requested)
{
    return requested > 0 ? requested : DEFAULT_PRUNE_LIMIT;
}

theta_status theta_vocab_save(const theta_vocab *v, const char *path)
{
    theta__outfile o;
    theta_status st = theta__out_open(&o, path);
    if (st)
        return st;
    for (int32_t i = 0; i < v->size; i++)
        fprintf(o.f, "%s %lld\n", v->entries[i].word, (long long)v->entries[i].count);
    return theta__out_commit(&o);
}

theta_status theta_vocab_load(const char *path, int64_t min_count, int64_t max_vocab,
                              theta_vocab **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    theta_vocab *v = theta_vocab_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0;
    theta_status st = v ? THETA_OK : THETA_ENOMEM;
    while (!st && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        /* a NUL would end the word or the count early and hide what follows it */
        if (memchr(line, '\0', (size_t)n)) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: NUL byte in the line", path,
                             (long long)lineno);
            break;
        }
        char *sp = strrchr(line, ' ');
        if (!sp || sp == line) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: expected 'word count'", path,
                             (long long)lineno);
            break;
        }
        char *end;
        errno = 0;
        long long c = strtoll(sp + 1, &end, 10);
        if (*end != '\0' || end == sp + 1 || errno || c < 0) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: bad count '%s'", path, (long long)lineno,
                             sp + 1);
            break;
        }
        size_t wlen = (size_t)(sp - line);
        if (memchr(line, ' ', wlen) || memchr(line, '\t', wlen) || wlen > THETA_MAX_WORD) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: bad word (spaces or over %d bytes)", path,
                             (long long)lineno, THETA_MAX_WORD);
            break;
        }
        if (c > INT64_MAX - v->total) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: counts overflow", path, (long long)lineno);
            break;
        }
        if (theta_vocab_find(v, line, wlen) >= 0) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: word '%.*s' listed twice", path,
                             (long long)lineno, (int)wlen, line);
            break;
        }
        st = theta_vocab_add(v, line, wlen, c);
    }
    if (!st && ferror(f))
        st = theta__fail(THETA_EIO, "%s: read error", path);
    free(line);
    fclose(f);
    if (!st && v->size == 0)
        st = theta__fail(THETA_EDATA, "%s: vocabulary file is empty", path);
    if (!st)
        st = theta_vocab_finalize(v, min_count, max_vocab);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

uint32_t theta_vocab_crc(const theta_vocab *v)
{
    uint32_t crc = 0;
    for (int32_t i = 0; i < v->size; i++) {
        unsigned char c[8];
        crc = theta_crc32(crc, v->entries[i].word, strlen(v->entries[i].word) + 1);
        theta__put_u64(c, (uint64_t)v->entries[i].count);
        crc = theta_crc32(crc, c, 8);
    }
    return crc;
}
