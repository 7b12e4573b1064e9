/*
 * mpi.c — data-parallel training over MPI (see theta_mpi.h; not "mpi.h", which
 * would hide the MPI library's own header under -Isrc).
 *
 * The sync protocol. Every collective call is made by every rank the same
 * number of times, in the same order, whatever their speeds:
 *
 *   1. The trainer calls theta__train_ext.sync with its workers idle: every
 *      sync_words words of its own (or sync_every seconds) while it trains
 *      its share (finished = 0), then,
 *      once its share of the epoch is done, again and again (finished = 1)
 *      until a sync reports that every rank is done. A rank that finished
 *      early therefore keeps joining the syncs of the others; the i-th sync
 *      of one rank always meets the i-th sync of every other rank.
 *   2. Each sync is first one MPI_Allreduce(SUM) of four int64 values:
 *      words trained since the last sync, "still training" (1 / 0), "stop
 *      requested" (a signal on any rank), "checkpoint due" (rank 0's timer).
 *      Every rank gets the same sums, so every rank takes the same decision:
 *      which rows to sync, whether to stop, whether to checkpoint. A rank
 *      asked to stop (a signal, --stop-after-words) syncs at once instead of
 *      waiting for its timer, and the others meet it at their next sync.
 *   3. Then the matrices. Every rank keeps base, a copy of both matrices as
 *      they were after their last sync (the same bits on every rank; taken
 *      from rank 0 by theta__mpi_sync_begin before training). A sync adds
 *      every rank's change in full: delta = current - base on each rank,
 *      the deltas summed over the ranks, current = base = base + sum. (An
 *      average would keep only 1/N of a change that one rank alone made,
 *      which is most changes of the rarer rows: in effect the learning rate
 *      divided by N for them.) The hot rows (the prefix of the
 *      frequency-sorted rows that covers HOT_SHARE of the tokens) are
 *      synced at every sync, every row every full_every-th sync
 *      (pWord2Vec's scheme); a row not synced keeps accumulating its change
 *      against its own base. At the syncs within an epoch, the rows below
 *      mean_rows (the most frequent words) that several ranks changed take
 *      the mean of the changes instead: each rank's change is most of the
 *      way already (see docs/mpi.md); an exact sync adds every change. Only the rows some rank changed travel (sync_rows: a
 *      bitmap or per-row counts, then the packed rows), as bfloat16 with
 *      ctx->bf16 except at an exact sync. At an exact sync (the epoch is
 *      over on every rank, a stop, a checkpoint) rank 0 sums and broadcasts
 *      the float32 sum, so every rank holds the very same bits afterwards.
 *   4. A checkpoint (or a stop) follows an exact sync of every row: rank 0
 *      gathers every rank's position in its share of the epoch (chunks
 *      trained, loss so far) and saves them with the global word count in
 *      the model's RANK section; a resumed rank skips the chunks it had
 *      trained. The chunks of a share and their seeds depend only on the
 *      share and the rank, so nothing is trained twice or skipped.
 *   A rank that fails calls MPI_Abort (theta__mpi_abort): the job ends with
 *   a non-zero status instead of waiting for it forever. With one rank the
 *   sync changes nothing: no copy, no sum, the same word counts.
 */
#include "theta_mpi.h"

#include "internal.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HOT_SHARE 0.9     /* hot rows: the most frequent words covering 90% of the tokens */
#define FULL_EVERY 8      /* every row at every 8th sync (when ctx->full_every is 0) */
#define PIECE (1 << 24)   /* floats (or bytes / 4) per MPI call: counts are int */
#define PACK (1 << 20)    /* floats of changed rows packed per sparse MPI call (4 MB) */

int theta__mpi_launched(void)
{
    /* Open MPI's mpirun; MPICH's hydra, Intel MPI and Slurm's PMI1/PMI2; PMIx
     * launchers (Open MPI 5, srun --mpi=pmix) */
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}

int theta__mpi_available(void)
{
    return 1;
}

void theta__mpi_init(int *argc, char ***argv)
{
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready)
        MPI_Init(argc, argv);
}

void theta__mpi_finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

int theta__mpi_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int theta__mpi_size(void)
{
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void theta__mpi_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
}

int theta__mpi_any(int flag, int *root_flag)
{
    int v[2] = {flag != 0, theta__mpi_rank() == 0 && flag != 0};
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (root_flag)
        *root_flag = v[1];
    return v[0];
}

/* The piece size for one file of `bytes` bytes on `size` ranks: about
 * `want`, but at least one piece per rank and at most 65536 per rank. */
static int64_t piece_size(int64_t bytes, int size, int64_t want)
{
    const int64_t most = 65536;
    if (want <= 0)
        return 0;
    int64_t small = (bytes + size - 1) / size, big = (bytes + size * most - 1) / (size * most);
    int64_t p = want < small ? want : small;
    return p > big ? p : big;
}

theta_status theta__mpi_shares(const char *const *inputs, int n, int64_t *piece,
                               theta_segment **segs, int *nsegs)
{
    const int rank = theta__mpi_rank(), size = theta__mpi_size();
    if (n > 1 && n < size)
        return theta__fail(THETA_EINVAL, "%d input files for %d ranks: give at least one file "
                                         "per rank, or one plain text file to split", n, size);
    if (n >= size || size == 1) {
        theta_segment *s = theta__calloc((size_t)n, sizeof *s);
        if (!s)
            return THETA_ENOMEM;
        int k = 0;
        for (int i = rank; i < n; i += size)
            s[k++] = (theta_segment){inputs[i], 0, -1};
        *piece = 0;
        *segs = s;
        *nsegs = k;
        return THETA_OK;
    }
    struct stat st;
    if (stat(inputs[0], &st) != 0)
        return theta__fail(THETA_EIO, "%s: cannot open", inputs[0]);
    if (theta__file_is_gzip(inputs[0]))
        return theta__fail(THETA_EINVAL, "%s: a gzip file cannot be split by bytes: give at "
                                         "least %d shards (one per rank)", inputs[0], size);
    *piece = piece_size((int64_t)st.st_size, size, *piece);
    return theta__deal_share(inputs[0], (int64_t)st.st_size, rank, size, *piece, segs, nsegs);
}

theta_status theta__mpi_fingerprints(const char *const *inputs, int n, theta_fingerprint *out)
{
    const int rank = theta__mpi_rank(), size = theta__mpi_size();
    theta_status st = THETA_OK;
    for (int i = 0; i < n; i++) {
        /* (bytes, crc): only the rank that reads input i (round-robin, or
         * rank 0 for one file split by bytes) fills it, the others add 0;
         * after a failure this rank still takes part */
        uint64_t v[2] = {0, 0};
        if (!st && (n >= size ? i % size == rank : rank == 0)) {
            uint32_t crc = 0;
            st = theta_corpus_fingerprint(inputs[i], &v[0], &crc);
            v[1] = crc;
        }
        MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        out[i] = (theta_fingerprint){v[0], (uint32_t)v[1]};
    }
    return st;
}

/* ---- vocabulary --------------------------------------------------------- */

/* Entries as "word\0" + 8-byte little-endian count, one after the other. */
static char *pack_vocab(const theta_vocab *v, int64_t *len_out)
{
    int64_t len = 0;
    for (int32_t i = 0; i < v->size; i++)
        len += v->entries[i].len + 1 + 8;
    char *buf = theta__alloc((size_t)(len > 0 ? len : 1), 1);
    if (!buf)
        return NULL;
    char *p = buf;
    for (int32_t i = 0; i < v->size; i++) {
        memcpy(p, v->entries[i].word, v->entries[i].len + 1);
        p += v->entries[i].len + 1;
        theta__put_u64((unsigned char *)p, (uint64_t)v->entries[i].count);
        p += 8;
    }
    *len_out = len;
    return buf;
}

static theta_status unpack_into(theta_vocab *v, const char *buf, int64_t len)
{
    const char *p = buf, *end = buf + len;
    while (p < end) {
        size_t wl = strlen(p);
        int64_t count = (int64_t)theta__get_u64((const unsigned char *)p + wl + 1);
        theta_status st = theta_vocab_add(v, p, wl, count);
        if (st)
            return st;
        p += wl + 1 + 8;
    }
    return THETA_OK;
}

static void send_bytes(const char *buf, int64_t len, int to)
{
    for (int64_t off = 0; off < len; off += PIECE)
        MPI_Send(buf + off, (int)(len - off < PIECE ? len - off : PIECE), MPI_BYTE, to, 7,
                 MPI_COMM_WORLD);
}

static void recv_bytes(char *buf, int64_t len, int from)
{
    for (int64_t off = 0; off < len; off += PIECE)
        MPI_Recv(buf + off, (int)(len - off < PIECE ? len - off : PIECE), MPI_BYTE, from, 7,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static void bcast_bytes(char *buf, int64_t len)
{
    for (int64_t off = 0; off < len; off += PIECE)
        MPI_Bcast(buf + off, (int)(len - off < PIECE ? len - off : PIECE), MPI_BYTE, 0,
                  MPI_COMM_WORLD);
}

theta_status theta__mpi_vocab(const theta_segment *segs, int nsegs, int64_t min_count,
                              int64_t max_vocab, theta_vocab **out)
{
    const int rank = theta__mpi_rank(), size = theta__mpi_size();
    theta_vocab *v = NULL;
    /* this rank's share, pruned as one process prunes */
    theta_status st =
        theta__vocab_count_segments(segs, nsegs, theta_vocab_prune_limit(0), &v);
    if (st)
        return st; /* the caller aborts the job */
    int64_t bytes = v->bytes_read, all_bytes = 0;
    MPI_Reduce(&bytes, &all_bytes, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    char *buf = NULL;
    int64_t len = 0;
    /* rank 0 adds the counts of ranks 1, 2, ... in rank order */
    if (rank != 0) {
        buf = pack_vocab(v, &len);
        if (!buf)
            return THETA_ENOMEM;
        MPI_Send(&len, 1, MPI_INT64_T, 0, 6, MPI_COMM_WORLD);
        send_bytes(buf, len, 0);
        free(buf);
        theta_vocab_free(v);
        v = NULL;
    } else {
        for (int r = 1; r < size && !st; r++) {
            MPI_Recv(&len, 1, MPI_INT64_T, r, 6, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            buf = theta__alloc((size_t)(len > 0 ? len : 1), 1);
            if (!buf)
                return THETA_ENOMEM;
            recv_bytes(buf, len, r);
            st = unpack_into(v, buf, len);
            free(buf);
        }
        if (!st)
            st = theta_vocab_finalize(v, min_count, max_vocab);
        if (st)
            return st;
        v->bytes_read = all_bytes;
        buf = pack_vocab(v, &len);
        if (!buf)
            return THETA_ENOMEM;
    }
    /* the final vocabulary, from rank 0 to everyone */
    MPI_Bcast(&len, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        buf = theta__alloc((size_t)(len > 0 ? len : 1), 1);
        if (!buf)
            return THETA_ENOMEM;
    }
    bcast_bytes(buf, len);
    if (rank != 0) {
        v = theta_vocab_new();
        st = v ? unpack_into(v, buf, len) : THETA_ENOMEM;
        /* already sorted and cut: finalizing again keeps the order */
        if (!st)
            st = theta_vocab_finalize(v, min_count, max_vocab);
        if (st) {
            free(buf);
            theta_vocab_free(v);
            return st;
        }
    }
    free(buf);
    uint32_t crc = theta_vocab_crc(v), lo = crc, hi = crc;
    MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_UINT32_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_UINT32_T, MPI_MAX, MPI_COMM_WORLD);
    if (lo != hi) {
        theta_vocab_free(v);
        return theta__fail(THETA_EDATA, "the ranks' vocabularies differ after merging");
    }
    *out = v;
    return THETA_OK;
}

/* ---- sync --------------------------------------------------------------- */

/* bfloat16: the top 16 bits of a float32, rounded to nearest even (NaN
 * kept a NaN) */
static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu))
        return (uint16_t)(u >> 16 | 0x40);
    u += 0x7fffu + (u >> 16 & 1);
    return (uint16_t)(u >> 16);
}

static float from_bf16(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* MPI_Op: inout[i] = bf16(in[i] + inout[i]), the sum taken in float32 */
static void sum_bf16(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const uint16_t *a = in;
    uint16_t *b = inout;
    for (int i = 0; i < *len; i++)
        b[i] = to_bf16(from_bf16(a[i]) + from_bf16(b[i]));
}

/* One piece of deltas p[k], replaced by their sum over the ranks. exact:
 * rank 0's sum, broadcast (the very same bits on every rank, whatever the
 * MPI library's reduction order); else an allreduce, of float32 values, or
 * with ctx->bf16 of bfloat16 values (half the bytes; each delta and each
 * partial sum rounded to 8 significant bits). */
static void sum_piece(theta__mpi_sync_ctx *ctx, float *p, int k, int exact)
{
    theta__mpi_traffic *tr = &ctx->traffic;
    const double t0 = theta_now();
    if (!exact && ctx->bf16) {
        static MPI_Op op = MPI_OP_NULL;
        if (op == MPI_OP_NULL)
            MPI_Op_create(sum_bf16, 1, &op);
        uint16_t *q = ctx->half;
        for (int off = 0; off < k; off += PACK) {
            int n = k - off < PACK ? k - off : PACK;
            for (int i = 0; i < n; i++)
                q[i] = to_bf16(p[off + i]);
            MPI_Allreduce(MPI_IN_PLACE, q, n, MPI_UINT16_T, op, MPI_COMM_WORLD);
            for (int i = 0; i < n; i++)
                p[off + i] = from_bf16(q[i]);
            tr->bytes += (int64_t)n * (int64_t)sizeof *q;
        }
        tr->mpi_seconds += theta_now() - t0;
        return;
    }
    if (exact) {
        MPI_Reduce(theta__mpi_rank() == 0 ? MPI_IN_PLACE : p, p, k, MPI_FLOAT, MPI_SUM, 0,
                   MPI_COMM_WORLD);
        MPI_Bcast(p, k, MPI_FLOAT, 0, MPI_COMM_WORLD);
        tr->bytes += 2 * (int64_t)k * (int64_t)sizeof(float);
    } else {
        MPI_Allreduce(MPI_IN_PLACE, p, k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        tr->bytes += (int64_t)k * (int64_t)sizeof(float);
    }
    tr->mpi_seconds += theta_now() - t0;
}

/* Rows [0, n) of a (rows, dim) matrix cur and of its copy base (the rows as
 * they were after their last sync, the same bits on every rank): every
 * rank's change since then, summed, added to base, on every rank:
 *   cur = base = base + sum over the ranks of (cur - base),
 * or, at a sync that is not exact, for the rows below ctx->mean_rows, + the
 * sum divided by the number of ranks that changed the row (a row one rank
 * changed gets that change in full; a row every rank changed, the mean of
 * their changes).
 * First which rows changed: a bitmap of the rows any rank changed (an OR
 * of n bits), or with ctx->mean_rows how many ranks changed each row (a sum of
 * n 16-bit counts); then, when that is smaller, only those rows, packed in
 * row order (sparse: the bitmap or counts are the index, the packed rows the
 * values), else all n rows (dense). A row no rank changed has a zero sum
 * either way: both give the same bits. */
static void sync_rows(theta__mpi_sync_ctx *ctx, float *cur, float *base, int64_t n, int dim,
                      int exact)
{
    theta__mpi_traffic *tr = &ctx->traffic;
    const int64_t total = n * dim, per = exact ? 2 : 1;
    unsigned char *dirty = ctx->dirty;
    uint16_t *k_of = ctx->ranks;
    const int64_t nbits = (n + 7) / 8;
    const int mean = ctx->mean_rows > 0 && !exact; /* an exact sync adds every change */
    if (mean)
        memset(k_of, 0, (size_t)n * sizeof *k_of);
    else
        memset(dirty, 0, (size_t)nbits);
    for (int64_t r = 0; r < n; r++) {
        float *p = cur + r * dim;
        const float *b = base + r * dim;
        int changed = 0;
        for (int i = 0; i < dim; i++) {
            p[i] -= b[i];
            changed |= p[i] != 0.0f;
        }
        if (changed && mean)
            k_of[r] = 1;
        else if (changed)
            dirty[r >> 3] |= (unsigned char)(1u << (r & 7));
    }
    const double t0 = theta_now();
    if (mean) {
        for (int64_t off = 0; off < n; off += PIECE)
            MPI_Allreduce(MPI_IN_PLACE, k_of + off, (int)(n - off < PIECE ? n - off : PIECE),
                          MPI_UINT16_T, MPI_SUM, MPI_COMM_WORLD);
        tr->bytes += n * (int64_t)sizeof *k_of;
    } else {
        for (int64_t off = 0; off < nbits; off += PIECE)
            MPI_Allreduce(MPI_IN_PLACE, dirty + off,
                          (int)(nbits - off < PIECE ? nbits - off : PIECE), MPI_UNSIGNED_CHAR,
                          MPI_BOR, MPI_COMM_WORLD);
        tr->bytes += nbits;
        for (int64_t r = 0; r < n; r++)
            k_of[r] = dirty[r >> 3] >> (r & 7) & 1;
    }
    tr->mpi_seconds += theta_now() - t0;
    int64_t nd = 0;
    for (int64_t r = 0; r < n; r++)
        nd += k_of[r] > 0;
    tr->dense_bytes += per * total * (int64_t)sizeof(float);
    if (nd * dim < total && !ctx->dense_only) {
        /* sparse: the changed rows through ctx->pack, PACK floats at a time */
        tr->sparse_sums++;
        tr->rows += nd;
        const int64_t rows_per = PACK / dim > 0 ? PACK / dim : 1;
        int64_t r = 0;
        while (r < n) {
            int64_t first = r, k = 0;
            for (; r < n && k < rows_per; r++)
                if (k_of[r])
                    memcpy(ctx->pack + k++ * dim, cur + r * dim, (size_t)dim * sizeof(float));
            if (k == 0) {
                r = first;
                break;
            }
            sum_piece(ctx, ctx->pack, (int)(k * dim), exact);
            for (int64_t j = first, q = 0; j < r; j++) {
                float *p = cur + j * dim, *b = base + j * dim;
                if (k_of[j]) {
                    const float *d = ctx->pack + q++ * dim;
                    const float div = (float)k_of[j];
                    const int avg = k_of[j] > 1 && j < ctx->mean_rows;
                    for (int i = 0; i < dim; i++)
                        b[i] = b[i] + (avg ? d[i] / div : d[i]);
                }
                memcpy(p, b, (size_t)dim * sizeof(float));
            }
        }
        for (; r < n; r++) /* rows after the last changed one: no change anywhere */
            memcpy(cur + r * dim, base + r * dim, (size_t)dim * sizeof(float));
        return;
    }
    tr->rows += n;
    for (int64_t off = 0; off < total; off += PIECE) {
        int k = (int)(total - off < PIECE ? total - off : PIECE);
        float *p = cur + off, *b = base + off;
        sum_piece(ctx, p, k, exact);
        for (int i = 0; i < k; i++) {
            const int64_t row = (off + i) / dim;
            const uint16_t div = row < ctx->mean_rows ? k_of[row] : 1;
            b[i] = p[i] = b[i] + (div > 1 ? p[i] / (float)div : p[i]);
        }
    }
}

static void bcast_floats(float *p, int64_t total)
{
    for (int64_t off = 0; off < total; off += PIECE)
        MPI_Bcast(p + off, (int)(total - off < PIECE ? total - off : PIECE), MPI_FLOAT, 0,
                  MPI_COMM_WORLD);
}

theta_status theta__mpi_sync_begin(theta__mpi_sync_ctx *ctx, theta_model *m)
{
    if (theta__mpi_size() == 1)
        return THETA_OK; /* nothing to sum: no copy, no change */
    const int64_t in = (int64_t)m->vocab->size * m->cfg.dim, out = m->out_rows * m->cfg.dim;
    const int64_t rows = m->vocab->size > m->out_rows ? m->vocab->size : m->out_rows;
    ctx->base_in = theta__alloc((size_t)in, sizeof(float));
    ctx->base_out = theta__alloc((size_t)(out > 0 ? out : 1), sizeof(float));
    ctx->dirty = theta__alloc((size_t)(rows + 7) / 8 + 1, 1);
    ctx->ranks = theta__alloc((size_t)rows + 1, sizeof *ctx->ranks);
    ctx->pack = theta__alloc(PACK, sizeof(float));
    ctx->half = theta__alloc(PACK, sizeof *ctx->half);
    if (!ctx->base_in || !ctx->base_out || !ctx->dirty || !ctx->ranks || !ctx->pack ||
        !ctx->half) {
        theta__mpi_sync_end(ctx);
        return theta__fail(THETA_ENOMEM, "no memory for the MPI sync's copy of the matrices "
                                         "(%.1f MB)", (double)(in + out) * sizeof(float) / 1e6);
    }
    /* every rank starts from rank 0's matrices (a new model's are the same
     * on every rank already; this makes sure of it) */
    bcast_floats(m->in, in);
    bcast_floats(m->out, out);
    memcpy(ctx->base_in, m->in, (size_t)in * sizeof(float));
    memcpy(ctx->base_out, m->out, (size_t)out * sizeof(float));
    return THETA_OK;
}

void theta__mpi_sync_end(theta__mpi_sync_ctx *ctx)
{
    free(ctx->base_in);
    free(ctx->base_out);
    free(ctx->dirty);
    free(ctx->ranks);
    free(ctx->pack);
    free(ctx->half);
    ctx->base_in = ctx->base_out = ctx->pack = NULL;
    ctx->dirty = NULL;
    ctx->ranks = ctx->half = NULL;
}

static int64_t hot_prefix(const theta_vocab *v)
{
    int64_t covered = 0, want = (int64_t)(HOT_SHARE * (double)v->total);
    int32_t i = 0;
    while (i < v->size && covered < want)
        covered += v->entries[i++].count;
    return i < 2 ? (v->size < 2 ? v->size : 2) : i;
}

theta_status theta__mpi_gather_state(theta_model *m, const theta__mpi_sync_ctx *ctx,
                                     int64_t chunks, double loss_sum, int64_t loss_count)
{
    const int rank = theta__mpi_rank(), size = theta__mpi_size();
    double mine[3] = {(double)chunks, loss_sum, (double)loss_count}, *all = NULL;
    /* chunk and example counts stay far below 2^53: exact in a double */
    if (rank == 0 && !(all = theta__calloc((size_t)size * 3, sizeof *all)))
        return THETA_ENOMEM; /* the caller aborts the job */
    MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank != 0)
        return THETA_OK;
    theta__mpi_clear_shares(m);
    m->state.chunks_done = chunks;
    m->state.loss_sum = loss_sum;
    m->state.loss_count = loss_count;
    if (size == 1 && ctx->ninputs == 1) {
        free(all); /* one process on one file: the checkpoint of the build without MPI */
        return THETA_OK;
    }
    theta_shares *sh = &m->shares;
    sh->ranks = theta__calloc((size_t)size, sizeof *sh->ranks);
    sh->inputs = theta__calloc((size_t)ctx->ninputs, sizeof *sh->inputs);
    if (!sh->ranks || !sh->inputs) {
        free(all);
        theta__mpi_clear_shares(m);
        return THETA_ENOMEM;
    }
    sh->nranks = size;
    sh->ninputs = ctx->ninputs;
    sh->piece = ctx->piece;
    memcpy(sh->inputs, ctx->inputs, (size_t)ctx->ninputs * sizeof *sh->inputs);
    for (int r = 0; r < size; r++)
        sh->ranks[r] = (theta__rank_state){(int64_t)all[3 * r], all[3 * r + 1],
                                          (int64_t)all[3 * r + 2]};
    free(all);
    return THETA_OK;
}

void theta__mpi_clear_shares(theta_model *m)
{
    free(m->shares.ranks);
    free(m->shares.inputs);
    memset(&m->shares, 0, sizeof m->shares);
}

theta_status theta__mpi_sync(theta_model *m, theta__sync *s, void *user)
{
    theta__mpi_sync_ctx *ctx = user;
    const int rank = theta__mpi_rank(), size = theta__mpi_size();
    if (ctx->nsync == 0) {
        ctx->words_done = m->state.words_done;
        ctx->hot_rows = hot_prefix(m->vocab);
        ctx->last_checkpoint = theta_now();
    }
    const double t0 = theta_now();
    theta__mpi_traffic *tr = &ctx->traffic;
    ctx->nsync++;
    tr->syncs++;
    tr->words += s->words;
    int64_t flags[4] = {
        s->words,
        s->finished ? 0 : 1,
        s->stop_request ? 1 : 0,
        rank == 0 && ctx->checkpoint && ctx->checkpoint_every > 0 &&
            theta_now() - ctx->last_checkpoint >= ctx->checkpoint_every,
    };
    MPI_Allreduce(MPI_IN_PLACE, flags, 4, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    tr->bytes += sizeof flags;
    tr->dense_bytes += sizeof flags;
    tr->wait_seconds += theta_now() - t0; /* the first collective: waiting for the slowest rank */
    s->words_total = flags[0];
    s->all_finished = flags[1] == 0;
    ctx->words_done += flags[0];
    s->stop = flags[2] > 0 ||
              (ctx->stop_after_words > 0 && ctx->words_done >= ctx->stop_after_words);
    ctx->stopped = s->stop;
    if (s->stop) {
        /* the exit status of every rank: the signal any rank got (0: none) */
        int sig = ctx->signal ? *ctx->signal : 0;
        MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        tr->bytes += sizeof sig;
        tr->dense_bytes += sizeof sig;
        ctx->stop_signal = sig;
    }
    const int checkpoint = flags[3] > 0 && !s->stop; /* a stop saves anyway */
    if (size > 1) {
        const int every = ctx->full_every > 0 ? ctx->full_every : FULL_EVERY;
        const int full = s->all_finished || s->stop || checkpoint || ctx->nsync % every == 0;
        const int exact = s->all_finished || s->stop || checkpoint;
        const int dim = m->cfg.dim;
        if (!ctx->base_in)
            return theta__fail(THETA_EINVAL, "MPI sync without theta__mpi_sync_begin");
        sync_rows(ctx, m->in, ctx->base_in, full ? m->vocab->size : ctx->hot_rows, dim, exact);
        /* hs: the inner nodes are not in frequency order; sum them all */
        int64_t out_hot = m->cfg.loss == THETA_LOSS_HS ? m->out_rows
                          : (ctx->hot_rows < m->out_rows ? ctx->hot_rows : m->out_rows);
        sync_rows(ctx, m->out, ctx->base_out, full ? m->out_rows : out_hot, dim, exact);
        ctx->nfull += full;
        tr->full_syncs += full;
        tr->exact_syncs += exact;
    }
    tr->seconds += theta_now() - t0;
    if (checkpoint) {
        /* every rank's position in its share, as of this sync (all workers idle) */
        theta_train_state saved = m->state;
        theta_status st = theta__mpi_gather_state(m, ctx, s->chunks, s->loss_sum, s->loss_count);
        if (!st && rank == 0) {
            m->state.words_done = ctx->words_done;
            m->state.epoch = s->epoch;
            st = ctx->checkpoint(m, ctx->user);
        }
        m->state = saved;
        theta__mpi_clear_shares(m);
        ctx->last_checkpoint = theta_now();
        if (st)
            return st; /* the caller aborts the job */
    }
    return THETA_OK;
}
