/*
 * model.c — a model: config, vocabulary, both matrices, training state; its
 * initialisation, and theta's own file format.
 *
 * The .theta file (all integers little-endian, floats IEEE-754 binary32/64):
 *
 *   magic    8 bytes  "THETAMOD"
 *   version  u32      1
 *   count    u32      number of sections
 *   section  × count: tag u32 (4 ASCII bytes), length u64, payload, crc u32
 *                     (zlib CRC-32 of the payload)
 *
 *   "CONF"  arch u32, loss u32, dim u32, window u32, negative u32, epochs u32,
 *           threads u32, min_count u64, max_vocab u64, sample f64, alpha f64,
 *           min_alpha_ratio f64, seed u64, init_in kind u32 + value f64,
 *           init_out kind u32 + value f64, kernel u32, noise_uniform f32
 *           (108 bytes; files from before noise_uniform have 4 zero bytes there);
 *           a run whose init has a perturbation ("const:0.1+normal:1e-6") adds
 *           init_in noise kind u32 + scale f64, init_out noise kind u32 + scale
 *           f64 (132 bytes). Files of 108 are read as without perturbation.
 *           A run with share_negatives other than 1 writes those 24 bytes
 *           (kinds 0 without a perturbation) and share_negatives u32 (136
 *           bytes); files of 108 or 132 are read with share_negatives 1.
 *   "VOCB"  size u32, then per word: length u32, bytes, count u64
 *   "STAT"  epoch u32, words_done u64, chunks_done u64, train_words u64,
 *           loss_sum f64, loss_count u64, corpus_bytes u64, corpus_crc u32
 *   "MATI"  rows u64, dim u32, rows × dim f32   (input matrix Θ)
 *   "MATO"  rows u64, dim u32, rows × dim f32   (output matrix)
 *   "RANK"  only in the checkpoint of an MPI run (then count is 6): nranks
 *           u32, ninputs u32, per input file: size u64, crc u32, 4 zero
 *           bytes; per rank: chunks_done u64, loss_sum f64, loss_count u64;
 *           then piece u64 (the bytes of the pieces one file was dealt in
 *           to the ranks, 0: one range per rank; a RANK without it, of an
 *           earlier theta, was split one range per rank)
 *   "INPT"  instead of RANK, in the model of a one-process run over several
 *           input files (count 6): ninputs u32 (>= 2), 4 zero bytes, per
 *           input file in the order given: size u64, crc u32, 4 zero bytes.
 *           Files without it (one input, or written before it existed) load
 *           as before.
 *
 * Readers check every length against the file size before allocating and
 * refuse unknown versions, missing sections and CRC mismatches.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define MAGIC "THETAMOD"
#define FORMAT_VERSION 1
#define CONF_BYTES 108
#define CONF_NOISE_BYTES 132 /* CONF with the perturbations */
#define CONF_SHARE_BYTES 136 /* and share_negatives */
#define STAT_BYTES 64
#define NOISE_STREAM 0x6e6f697365ULL /* "noise": seeds a perturbation from its matrix's seed */
#define MAX_RANKS (1 << 20)   /* RANK section: bounds checked before allocating */
#define MAX_INPUTS (1 << 24)

#define HUGE_PAGE ((size_t)2 << 20)

static float *alloc_matrix(int64_t rows, int dim)
{
    size_t n = (size_t)rows * (size_t)dim;
    size_t bytes = n * sizeof(float);
    if (rows > 0 && (bytes / sizeof(float) / (size_t)rows != (size_t)dim)) {
        theta__fail(THETA_ENOMEM, "matrix of %lld x %d floats overflows", (long long)rows, dim);
        return NULL;
    }
    /* Training reads rows at random: with 4 KB pages nearly every row of a
     * large matrix is a TLB miss as well as a cache miss. A matrix of a
     * huge page or more is aligned to 2 MB and asked for transparent huge
     * pages (Linux leaves them to madvise by default); elsewhere, 64 bytes. */
    size_t align = bytes >= HUGE_PAGE ? HUGE_PAGE : 64;
    bytes = (bytes + align - 1) & ~(align - 1);
    float *m = aligned_alloc(align, bytes ? bytes : 64);
#ifdef MADV_HUGEPAGE
    if (m && align == HUGE_PAGE)
        (void)madvise(m, bytes, MADV_HUGEPAGE); /* a hint: no huge pages is no error */
#endif
    if (!m)
        theta__fail(THETA_ENOMEM, "out of memory for a %lld x %d matrix (%.1f MB)",
                    (long long)rows, dim, (double)bytes / 1e6);
    return m;
}

/* Two N(0, scale^2) draws (Box-Muller). */
static void normal_pair(theta_rng *rng, double scale, double *a, double *b)
{
    double u1 = 1.0 - theta_rng_uniform(rng), u2 = theta_rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1)) * scale;
    *a = r * cos(2 * M_PI * u2);
    *b = r * sin(2 * M_PI * u2);
}

/* Adds init's perturbation to the n values of m: each value + a draw, in
 * double, rounded to float. Scale 0 leaves m as it is, bit for bit. */
static void perturb_matrix(float *m, size_t n, const theta_init *init, uint64_t seed)
{
    if (init->noise_kind == THETA_NOISE_NONE || init->noise == 0)
        return;
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    double scale = init->noise;
    if (init->noise_kind == THETA_NOISE_UNIFORM) {
        for (size_t i = 0; i < n; i++)
            m[i] = (float)((double)m[i] + (theta_rng_uniform(&rng) * 2.0 - 1.0) * scale);
        return;
    }
    for (size_t i = 0; i < n; i += 2) {
        double a, b;
        normal_pair(&rng, scale, &a, &b);
        m[i] = (float)((double)m[i] + a);
        if (i + 1 < n)
            m[i + 1] = (float)((double)m[i + 1] + b);
    }
}

static void init_matrix(float *m, int64_t rows, int dim, const theta_init *init, int is_input,
                        uint64_t seed)
{
    size_t n = (size_t)rows * (size_t)dim;
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    theta_init_kind kind = init->kind;
    double scale = init->value;
    if (kind == THETA_INIT_W2V) {
        if (!is_input) {
            kind = THETA_INIT_ZERO;
        } else {
            kind = THETA_INIT_UNIFORM;
            scale = 0.5 / dim;
        }
    } else if (kind == THETA_INIT_SCALED) {
        kind = THETA_INIT_UNIFORM;
        scale = scale / dim;
    }
    switch (kind) {
    case THETA_INIT_ZERO:
        memset(m, 0, n * sizeof *m);
        break;
    case THETA_INIT_CONST:
        for (size_t i = 0; i < n; i++)
            m[i] = (float)scale;
        break;
    case THETA_INIT_UNIFORM:
        for (size_t i = 0; i < n; i++)
            m[i] = (float)((theta_rng_uniform(&rng) * 2.0 - 1.0) * scale);
        break;
    case THETA_INIT_NORMAL:
        for (size_t i = 0; i < n; i += 2) {
            double a, b;
            normal_pair(&rng, scale, &a, &b);
            m[i] = (float)a;
            if (i + 1 < n)
                m[i + 1] = (float)b;
        }
        break;
    default:
        break;
    }
    /* the perturbation's stream is the matrix's own, apart from the start's */
    perturb_matrix(m, n, init, theta_seed_mix(seed, NOISE_STREAM, 0));
}

static int64_t out_rows_for(const theta_config *cfg, int64_t vocab_size)
{
    return cfg->loss == THETA_LOSS_HS ? vocab_size - 1 : vocab_size;
}

size_t theta_model_matrix_bytes(const theta_config *cfg, int64_t vocab_size)
{
    return (size_t)(vocab_size + out_rows_for(cfg, vocab_size)) * (size_t)cfg->dim * sizeof(float);
}

/* Builds the loss-specific tables (Huffman tree, sampler) for m->vocab. */
static theta_status build_tables(theta_model *m)
{
    if (m->cfg.loss == THETA_LOSS_HS)
        return theta_huffman_build(&m->huffman, m->vocab);
    if (m->cfg.loss == THETA_LOSS_NS)
        return theta_sampler_build_mix(&m->sampler, m->vocab, 0.75, m->cfg.noise_uniform);
    return THETA_OK;
}

static theta_model *model_shell(const theta_config *cfg, theta_vocab *vocab)
{
    theta_model *m = theta__calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = *cfg;
    m->vocab = vocab;
    m->out_rows = out_rows_for(cfg, vocab->size);
    m->state.train_words = vocab->total;
    return m;
}

theta_status theta_model_new(const theta_config *cfg, theta_vocab *vocab, theta_model **out)
{
    theta_status st = theta_config_validate(cfg);
    if (st) {
        theta_vocab_free(vocab);
        return st;
    }
    if (vocab->size < 2) {
        theta_vocab_free(vocab);
        return theta__fail(THETA_EDATA, "the vocabulary has no words besides %s", THETA_EOS);
    }
    theta_model *m = model_shell(cfg, vocab);
    if (!m) {
        theta_vocab_free(vocab);
        return THETA_ENOMEM;
    }
    m->in = alloc_matrix(vocab->size, cfg->dim);
    m->out = alloc_matrix(m->out_rows, cfg->dim);
    if (!m->in || !m->out) {
        theta_model_free(m);
        return THETA_ENOMEM;
    }
    init_matrix(m->in, vocab->size, cfg->dim, &cfg->init_in, 1, theta_seed_mix(cfg->seed, 0x1a, 0));
    init_matrix(m->out, m->out_rows, cfg->dim, &cfg->init_out, 0,
                theta_seed_mix(cfg->seed, 0x1a, 1));
    st = build_tables(m);
    if (st) {
        theta_model_free(m);
        return st;
    }
    *out = m;
    return THETA_OK;
}

void theta_model_free(theta_model *m)
{
    if (!m)
        return;
    theta_vocab_free(m->vocab);
    free(m->in);
    free(m->out);
    theta_huffman_free(&m->huffman);
    theta_sampler_free(&m->sampler);
    free(m->shares.ranks);
    free(m->shares.inputs);
    free(m);
}

void theta_model_out_name(const theta_model *m, int64_t r, char *buf, size_t size)
{
    if (m->cfg.loss == THETA_LOSS_HS)
        snprintf(buf, size, "__node_%lld", (long long)r);
    else
        snprintf(buf, size, "%s", m->vocab->entries[r].word);
}

theta_status theta_model_row_names(const theta_model *m, int which, const char ***out)
{
    enum { NODE_NAME = 32 }; /* "__node_" + up to 19 digits + NUL */
    const int64_t rows = which ? m->out_rows : m->vocab->size;
    const int nodes = which && m->cfg.loss == THETA_LOSS_HS;
    const size_t n = rows > 0 ? (size_t)rows : 1;
    /* one block: the pointers, then (hs output) the names they point to */
    const char **names = theta__alloc(n, sizeof *names + (nodes ? NODE_NAME : 0));
    if (!names)
        return THETA_ENOMEM;
    char *text = (char *)(names + n);
    for (int64_t r = 0; r < rows; r++) {
        if (nodes) {
            char *name = text + (size_t)r * NODE_NAME;
            theta_model_out_name(m, r, name, NODE_NAME);
            names[r] = name;
        } else {
            names[r] = m->vocab->entries[r].word;
        }
    }
    *out = names;
    return THETA_OK;
}

/* ---- writing ------------------------------------------------------------ */

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void encode_conf(const theta_config *c, unsigned char *p)
{
    theta__put_u32(p + 0, (uint32_t)c->arch);
    theta__put_u32(p + 4, (uint32_t)c->loss);
    theta__put_u32(p + 8, (uint32_t)c->dim);
    theta__put_u32(p + 12, (uint32_t)c->window);
    theta__put_u32(p + 16, (uint32_t)c->negative);
    theta__put_u32(p + 20, (uint32_t)c->epochs);
    theta__put_u32(p + 24, (uint32_t)c->threads);
    theta__put_u64(p + 28, (uint64_t)c->min_count);
    theta__put_u64(p + 36, (uint64_t)c->max_vocab);
    theta__put_u64(p + 44, f64_bits(c->sample));
    theta__put_u64(p + 52, f64_bits(c->alpha));
    theta__put_u64(p + 60, f64_bits(c->min_alpha_ratio));
    theta__put_u64(p + 68, c->seed);
    theta__put_u32(p + 76, (uint32_t)c->init_in.kind);
    theta__put_u64(p + 80, f64_bits(c->init_in.value));
    theta__put_u32(p + 88, (uint32_t)c->init_out.kind);
    theta__put_u64(p + 92, f64_bits(c->init_out.value));
    theta__put_u32(p + 100, (uint32_t)c->kernel);
    uint32_t u;
    memcpy(&u, &c->noise_uniform, 4);
    theta__put_u32(p + 104, u);
}

/* The perturbations of a 132-byte CONF (after the 108 bytes above). */
static void encode_conf_noise(const theta_config *c, unsigned char *p)
{
    theta__put_u32(p + 0, (uint32_t)c->init_in.noise_kind);
    theta__put_u64(p + 4, f64_bits(c->init_in.noise));
    theta__put_u32(p + 12, (uint32_t)c->init_out.noise_kind);
    theta__put_u64(p + 16, f64_bits(c->init_out.noise));
}

static int has_noise(const theta_config *c)
{
    return c->init_in.noise_kind != THETA_NOISE_NONE || c->init_out.noise_kind != THETA_NOISE_NONE;
}

static void decode_conf(const unsigned char *p, theta_config *c)
{
    c->arch = (theta_arch)theta__get_u32(p + 0);
    c->loss = (theta_loss)theta__get_u32(p + 4);
    c->dim = (int)theta__get_u32(p + 8);
    c->window = (int)theta__get_u32(p + 12);
    c->negative = (int)theta__get_u32(p + 16);
    c->epochs = (int)theta__get_u32(p + 20);
    c->threads = (int)theta__get_u32(p + 24);
    c->min_count = (int64_t)theta__get_u64(p + 28);
    c->max_vocab = (int64_t)theta__get_u64(p + 36);
    c->sample = bits_f64(theta__get_u64(p + 44));
    c->alpha = bits_f64(theta__get_u64(p + 52));
    c->min_alpha_ratio = bits_f64(theta__get_u64(p + 60));
    c->seed = theta__get_u64(p + 68);
    c->init_in.kind = (theta_init_kind)theta__get_u32(p + 76);
    c->init_in.value = bits_f64(theta__get_u64(p + 80));
    c->init_out.kind = (theta_init_kind)theta__get_u32(p + 88);
    c->init_out.value = bits_f64(theta__get_u64(p + 92));
    c->kernel = (theta_kernel)theta__get_u32(p + 100);
    uint32_t u = theta__get_u32(p + 104);
    memcpy(&c->noise_uniform, &u, 4);
    c->init_in.noise_kind = c->init_out.noise_kind = THETA_NOISE_NONE;
    c->init_in.noise = c->init_out.noise = 0;
}

static void decode_conf_noise(const unsigned char *p, theta_config *c)
{
    c->init_in.noise_kind = (theta_noise_kind)theta__get_u32(p + 0);
    c->init_in.noise = bits_f64(theta__get_u64(p + 4));
    c->init_out.noise_kind = (theta_noise_kind)theta__get_u32(p + 12);
    c->init_out.noise = bits_f64(theta__get_u64(p + 16));
}

static void encode_state(const theta_train_state *s, unsigned char *p)
{
    theta__put_u32(p + 0, (uint32_t)s->epoch);
    theta__put_u64(p + 4, (uint64_t)s->words_done);
    theta__put_u64(p + 12, (uint64_t)s->chunks_done);
    theta__put_u64(p + 20, (uint64_t)s->train_words);
    theta__put_u64(p + 28, f64_bits(s->loss_sum));
    theta__put_u64(p + 36, (uint64_t)s->loss_count);
    theta__put_u64(p + 44, s->corpus_bytes);
    theta__put_u32(p + 52, s->corpus_crc);
    memset(p + 56, 0, STAT_BYTES - 56);
}

static void decode_state(const unsigned char *p, theta_train_state *s)
{
    s->epoch = (int32_t)theta__get_u32(p + 0);
    s->words_done = (int64_t)theta__get_u64(p + 4);
    s->chunks_done = (int64_t)theta__get_u64(p + 12);
    s->train_words = (int64_t)theta__get_u64(p + 20);
    s->loss_sum = bits_f64(theta__get_u64(p + 28));
    s->loss_count = (int64_t)theta__get_u64(p + 36);
    s->corpus_bytes = theta__get_u64(p + 44);
    s->corpus_crc = theta__get_u32(p + 52);
}

static int write_section(FILE *f, const char tag[4], const void *payload, uint64_t len)
{
    unsigned char h[12];
    memcpy(h, tag, 4);
    theta__put_u64(h + 4, len);
    unsigned char c[4];
    theta__put_u32(c, theta_crc32(0, payload, (size_t)len));
    return fwrite(h, 1, 12, f) == 12 && fwrite(payload, 1, (size_t)len, f) == len &&
                   fwrite(c, 1, 4, f) == 4
               ? 0
               : -1;
}

static int write_matrix_section(FILE *f, const char tag[4], const float *m, int64_t rows, int dim)
{
    size_t n = (size_t)rows * (size_t)dim;
    unsigned char h[12 + 12];
    memcpy(h, tag, 4);
    theta__put_u64(h + 4, 12 + (uint64_t)n * 4);
    theta__put_u64(h + 12, (uint64_t)rows);
    theta__put_u32(h + 20, (uint32_t)dim);
    if (fwrite(h, 1, sizeof h, f) != sizeof h)
        return -1;
    uint32_t crc = theta_crc32(0, h + 12, 12);
    crc = theta_crc32(crc, m, n * 4); /* the floats' file bytes (little-endian host) */
    if (theta__write_f32(f, m, n) != n)
        return -1;
    unsigned char c[4];
    theta__put_u32(c, crc);
    return fwrite(c, 1, 4, f) == 4 ? 0 : -1;
}

/* The RANK section's payload (malloc'ed, *len bytes). */
static unsigned char *encode_shares(const theta_shares *sh, uint64_t *len)
{
    uint64_t n = 8 + 16 * (uint64_t)sh->ninputs + 24 * (uint64_t)sh->nranks + 8;
    unsigned char *b = theta__calloc((size_t)n, 1);
    if (!b)
        return NULL;
    theta__put_u32(b, (uint32_t)sh->nranks);
    theta__put_u32(b + 4, (uint32_t)sh->ninputs);
    unsigned char *p = b + 8;
    for (int32_t i = 0; i < sh->ninputs; i++, p += 16) {
        theta__put_u64(p, sh->inputs[i].bytes);
        theta__put_u32(p + 8, sh->inputs[i].crc);
    }
    for (int32_t r = 0; r < sh->nranks; r++, p += 24) {
        theta__put_u64(p, (uint64_t)sh->ranks[r].chunks_done);
        theta__put_u64(p + 8, f64_bits(sh->ranks[r].loss_sum));
        theta__put_u64(p + 16, (uint64_t)sh->ranks[r].loss_count);
    }
    theta__put_u64(p, (uint64_t)sh->piece);
    *len = n;
    return b;
}

/* The INPT section's payload (malloc'ed, *len bytes). */
static unsigned char *encode_inputs(const theta_shares *sh, uint64_t *len)
{
    uint64_t n = 8 + 16 * (uint64_t)sh->ninputs;
    unsigned char *b = theta__calloc((size_t)n, 1);
    if (!b)
        return NULL;
    theta__put_u32(b, (uint32_t)sh->ninputs);
    for (int32_t i = 0; i < sh->ninputs; i++) {
        theta__put_u64(b + 8 + 16 * (size_t)i, sh->inputs[i].bytes);
        theta__put_u32(b + 16 + 16 * (size_t)i, sh->inputs[i].crc);
    }
    *len = n;
    return b;
}

theta_status theta_model_save(const theta_model *m, const char *path)
{
    const theta_vocab *v = m->vocab;
    size_t vbytes = 4;
    for (int32_t i = 0; i < v->size; i++)
        vbytes += 12 + strlen(v->entries[i].word);
    unsigned char *vb = theta__alloc(vbytes, 1);
    if (!vb)
        return THETA_ENOMEM;
    unsigned char *p = vb;
    theta__put_u32(p, (uint32_t)v->size);
    p += 4;
    for (int32_t i = 0; i < v->size; i++) {
        size_t len = strlen(v->entries[i].word);
        theta__put_u32(p, (uint32_t)len);
        memcpy(p + 4, v->entries[i].word, len);
        theta__put_u64(p + 4 + len, (uint64_t)v->entries[i].count);
        p += 12 + len;
    }
    unsigned char conf[CONF_SHARE_BYTES], stat[STAT_BYTES], head[16];
    /* 108 bytes without a perturbation or shared negatives: readable by every earlier theta */
    uint64_t conf_bytes = m->cfg.share_negatives != 1 ? CONF_SHARE_BYTES
                          : has_noise(&m->cfg)        ? CONF_NOISE_BYTES
                                                      : CONF_BYTES;
    encode_conf(&m->cfg, conf);
    encode_conf_noise(&m->cfg, conf + CONF_BYTES);
    theta__put_u32(conf + CONF_NOISE_BYTES, (uint32_t)m->cfg.share_negatives);
    encode_state(&m->state, stat);
    unsigned char *rb = NULL;
    uint64_t rbytes = 0;
    const char *sixth = m->shares.nranks > 0 ? "RANK" : m->shares.ninputs > 1 ? "INPT" : NULL;
    if (sixth && !(rb = sixth[0] == 'R' ? encode_shares(&m->shares, &rbytes)
                                        : encode_inputs(&m->shares, &rbytes))) {
        free(vb);
        return THETA_ENOMEM;
    }
    memcpy(head, MAGIC, 8);
    theta__put_u32(head + 8, FORMAT_VERSION);
    theta__put_u32(head + 12, rb ? 6 : 5);

    theta__outfile o;
    theta_status st = theta__out_open(&o, path);
    if (st) {
        free(vb);
        free(rb);
        return st;
    }
    int bad = fwrite(head, 1, 16, o.f) != 16 || write_section(o.f, "CONF", conf, conf_bytes) ||
              write_section(o.f, "VOCB", vb, vbytes) ||
              write_section(o.f, "STAT", stat, STAT_BYTES) ||
              write_matrix_section(o.f, "MATI", m->in, v->size, m->cfg.dim) ||
              write_matrix_section(o.f, "MATO", m->out, m->out_rows, m->cfg.dim) ||
              (rb && write_section(o.f, sixth, rb, rbytes));
    free(vb);
    free(rb);
    if (bad) {
        st = theta__fail(THETA_EIO, "%s: write failed: %s", path, strerror(errno));
        theta__out_abort(&o);
        return st;
    }
    return theta__out_commit(&o);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct {
    FILE *f;
    const char *path;
    uint64_t size, pos;
} reader;

static theta_status rd(reader *r, void *buf, uint64_t n)
{
    if (n > r->size - r->pos)
        return theta__fail(THETA_EFORMAT, "%s: truncated (needs %llu more bytes at offset %llu)",
                           r->path, (unsigned long long)n, (unsigned long long)r->pos);
    if (fread(buf, 1, (size_t)n, r->f) != n)
        return theta__fail(THETA_EIO, "%s: read error at offset %llu", r->path,
                           (unsigned long long)r->pos);
    r->pos += n;
    return THETA_OK;
}

static theta_status check_crc(reader *r, uint32_t crc, const char *tag)
{
    unsigned char c[4];
    theta_status st = rd(r, c, 4);
    if (st)
        return st;
    if (theta__get_u32(c) != crc)
        return theta__fail(THETA_EFORMAT, "%s: section %.4s is corrupt (CRC mismatch)", r->path,
                           tag);
    return THETA_OK;
}

static theta_status read_small(reader *r, uint64_t len, const char *tag, unsigned char **out)
{
    if (len > r->size - r->pos)
        return theta__fail(THETA_EFORMAT, "%s: section %.4s claims %llu bytes, past the end", r->path,
                           tag, (unsigned long long)len);
    unsigned char *b = theta__alloc((size_t)len ? (size_t)len : 1, 1);
    if (!b)
        return THETA_ENOMEM;
    theta_status st = rd(r, b, len);
    if (!st)
        st = check_crc(r, theta_crc32(0, b, (size_t)len), tag);
    if (st) {
        free(b);
        return st;
    }
    *out = b;
    return THETA_OK;
}

static theta_status parse_vocab(reader *r, const unsigned char *b, uint64_t len, theta_vocab **out)
{
    if (len < 4)
        return theta__fail(THETA_EFORMAT, "%s: vocabulary section too short", r->path);
    uint32_t n = theta__get_u32(b);
    if (n < 2 || (uint64_t)n > (len - 4) / 12)
        return theta__fail(THETA_EFORMAT, "%s: vocabulary size %u does not fit its section",
                           r->path, n);
    theta_vocab *v = theta_vocab_new();
    if (!v)
        return THETA_ENOMEM;
    uint64_t p = 4;
    int64_t total = 0;
    theta_status st = THETA_OK;
    for (uint32_t i = 0; i < n && !st; i++) {
        if (len - p < 12) {
            st = theta__fail(THETA_EFORMAT, "%s: vocabulary entry %u runs past its section",
                             r->path, i);
            break;
        }
        uint32_t wl = theta__get_u32(b + p);
        if (wl == 0 || wl > THETA_MAX_WORD * 4 || (uint64_t)wl > len - p - 12) {
            st = theta__fail(THETA_EFORMAT, "%s: vocabulary entry %u has a bad length", r->path, i);
            break;
        }
        const char *w = (const char *)b + p + 4;
        if (memchr(w, '\0', wl) || theta_vocab_find(v, w, wl) >= 0) {
            st = theta__fail(THETA_EFORMAT, "%s: vocabulary entry %u is invalid or repeated",
                             r->path, i);
            break;
        }
        int64_t c = (int64_t)theta__get_u64(b + p + 4 + wl);
        if (c < 0) {
            st = theta__fail(THETA_EFORMAT, "%s: vocabulary entry %u has a negative count",
                             r->path, i);
            break;
        }
        if (c > INT64_MAX - total) {
            st = theta__fail(THETA_EFORMAT, "%s: vocabulary counts overflow at entry %u",
                             r->path, i);
            break;
        }
        total += c;
        st = theta_vocab_add(v, w, wl, c);
        p += 12 + wl;
    }
    if (!st && p != len)
        st = theta__fail(THETA_EFORMAT, "%s: vocabulary section has trailing bytes", r->path);
    if (!st && strcmp(v->entries[0].word, THETA_EOS) != 0)
        st = theta__fail(THETA_EFORMAT, "%s: vocabulary does not start with %s", r->path, THETA_EOS);
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

static theta_status parse_shares(reader *r, const unsigned char *b, uint64_t len, theta_shares *sh)
{
    if (len < 8)
        return theta__fail(THETA_EFORMAT, "%s: RANK section too short", r->path);
    uint32_t nranks = theta__get_u32(b), ninputs = theta__get_u32(b + 4);
    /* the piece size at the end is newer: without it, one range per rank */
    const uint64_t fixed = 8 + 16 * (uint64_t)ninputs + 24 * (uint64_t)nranks;
    if (nranks < 1 || nranks > MAX_RANKS || ninputs < 1 || ninputs > MAX_INPUTS ||
        (len != fixed && len != fixed + 8))
        return theta__fail(THETA_EFORMAT, "%s: RANK section: %u ranks and %u input files do not "
                                          "fit its %llu bytes", r->path, nranks, ninputs,
                           (unsigned long long)len);
    sh->inputs = theta__calloc(ninputs, sizeof *sh->inputs);
    sh->ranks = theta__calloc(nranks, sizeof *sh->ranks);
    if (!sh->inputs || !sh->ranks)
        return THETA_ENOMEM; /* the caller frees both with the model */
    sh->nranks = (int32_t)nranks;
    sh->ninputs = (int32_t)ninputs;
    const unsigned char *p = b + 8;
    for (uint32_t i = 0; i < ninputs; i++, p += 16) {
        sh->inputs[i].bytes = theta__get_u64(p);
        sh->inputs[i].crc = theta__get_u32(p + 8);
    }
    for (uint32_t k = 0; k < nranks; k++, p += 24) {
        theta__rank_state *rs = &sh->ranks[k];
        rs->chunks_done = (int64_t)theta__get_u64(p);
        rs->loss_sum = bits_f64(theta__get_u64(p + 8));
        rs->loss_count = (int64_t)theta__get_u64(p + 16);
        if (rs->chunks_done < 0 || rs->loss_count < 0 || !isfinite(rs->loss_sum))
            return theta__fail(THETA_EFORMAT, "%s: RANK section: rank %u has an invalid position",
                               r->path, k);
    }
    sh->piece = len == fixed ? 0 : (int64_t)theta__get_u64(p);
    if (sh->piece < 0)
        return theta__fail(THETA_EFORMAT, "%s: RANK section: invalid piece size", r->path);
    return THETA_OK;
}

static theta_status parse_inputs(reader *r, const unsigned char *b, uint64_t len, theta_shares *sh)
{
    uint32_t ninputs = len >= 8 ? theta__get_u32(b) : 0;
    if (ninputs < 2 || ninputs > MAX_INPUTS || len != 8 + 16 * (uint64_t)ninputs)
        return theta__fail(THETA_EFORMAT, "%s: INPT section: %u input files do not fit its %llu "
                                          "bytes", r->path, ninputs, (unsigned long long)len);
    sh->inputs = theta__calloc(ninputs, sizeof *sh->inputs);
    if (!sh->inputs)
        return THETA_ENOMEM; /* the caller frees it with the model */
    sh->ninputs = (int32_t)ninputs;
    for (uint32_t i = 0; i < ninputs; i++) {
        sh->inputs[i].bytes = theta__get_u64(b + 8 + 16 * (size_t)i);
        sh->inputs[i].crc = theta__get_u32(b + 16 + 16 * (size_t)i);
    }
    return THETA_OK;
}

static theta_status read_matrix(reader *r, uint64_t len, const char *tag, int64_t rows, int dim,
                                float **out)
{
    unsigned char h[12];
    if (len < 12)
        return theta__fail(THETA_EFORMAT, "%s: section %.4s too short", r->path, tag);
    theta_status st = rd(r, h, 12);
    if (st)
        return st;
    uint64_t frows = theta__get_u64(h);
    uint32_t fdim = theta__get_u32(h + 8);
    if (frows != (uint64_t)rows || fdim != (uint32_t)dim)
        return theta__fail(THETA_EFORMAT, "%s: matrix %.4s is %llu x %u, expected %lld x %d",
                           r->path, tag, (unsigned long long)frows, fdim, (long long)rows, dim);
    uint64_t n = (uint64_t)rows * (uint64_t)dim;
    if (len - 12 != n * 4 || n * 4 + 4 > r->size - r->pos)
        return theta__fail(THETA_EFORMAT, "%s: matrix %.4s does not fit the file", r->path, tag);
    float *m = alloc_matrix(rows, dim);
    if (!m)
        return THETA_ENOMEM;
    if (theta__read_f32(r->f, m, (size_t)n) != n) {
        free(m);
        return theta__fail(THETA_EIO, "%s: read error in matrix %.4s", r->path, tag);
    }
    r->pos += n * 4;
    uint32_t crc = theta_crc32(theta_crc32(0, h, 12), m, (size_t)n * 4);
    st = check_crc(r, crc, tag);
    if (st) {
        free(m);
        return st;
    }
    *out = m;
    return THETA_OK;
}

/* A model file being loaded: the sections read so far. */
typedef struct {
    reader r;
    theta_config cfg;   /* from CONF */
    theta_model *m;     /* from VOCB on */
    int inputs;         /* the sixth section is INPT, not RANK */
} loader;

static const char *const section_tags[6] = {"CONF", "VOCB", "STAT", "MATI", "MATO", "RANK"};

/* Opens path and checks the header; *nsections: 5, or 6 with RANK or INPT. */
static theta_status open_model_file(loader *L, const char *path, uint32_t *nsections)
{
    L->r = (reader){fopen(path, "rb"), path, 0, 0};
    if (!L->r.f)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(L->r.f), &sb) != 0 || !S_ISREG(sb.st_mode))
        return theta__fail(THETA_EIO, "%s: not a regular file", path);
    L->r.size = (uint64_t)sb.st_size;
    unsigned char head[16];
    theta_status st = rd(&L->r, head, 16);
    if (st)
        return st;
    if (memcmp(head, MAGIC, 8) != 0)
        return theta__fail(THETA_EFORMAT, "%s: not a theta model (bad magic)", path);
    if (theta__get_u32(head + 8) != FORMAT_VERSION)
        return theta__fail(THETA_EFORMAT, "%s: model format version %u is not supported (this is %d)",
                           path, theta__get_u32(head + 8), FORMAT_VERSION);
    *nsections = theta__get_u32(head + 12);
    if (*nsections != 5 && *nsections != 6)
        return theta__fail(THETA_EFORMAT, "%s: expected 5 sections (6 with RANK or INPT), found "
                                          "%u", path, *nsections);
    return THETA_OK;
}

/* Reads the header of section s and checks its tag and length (*len). */
static theta_status section_header(loader *L, int s, uint64_t *len)
{
    reader *r = &L->r;
    unsigned char sh[12];
    if (r->pos == r->size)
        return theta__fail(THETA_EFORMAT, "%s: section %s is missing (the file ends at offset "
                                          "%llu)", r->path, section_tags[s],
                           (unsigned long long)r->pos);
    theta_status st = rd(r, sh, 12);
    if (st)
        return st;
    L->inputs = s == 5 && memcmp(sh, "INPT", 4) == 0;
    if (memcmp(sh, section_tags[s], 4) != 0 && !L->inputs)
        return theta__fail(THETA_EFORMAT, "%s: expected section %s at offset %llu", r->path,
                           section_tags[s], (unsigned long long)(r->pos - 12));
    *len = theta__get_u64(sh + 4);
    if (*len > r->size - r->pos)
        return theta__fail(THETA_EFORMAT, "%s: section %s claims %llu bytes, past the end",
                           r->path, section_tags[s], (unsigned long long)*len);
    return THETA_OK;
}

/* A section of a fixed size: its bytes, checked to be want long. */
static theta_status read_fixed(loader *L, uint64_t len, uint64_t want, const char *tag,
                               unsigned char **out)
{
    if (len != want)
        return theta__fail(THETA_EFORMAT, "%s: %s section has a bad length", L->r.path, tag);
    return read_small(&L->r, len, tag, out);
}

/* CONF: the hyper-parameters, which must be valid. */
static theta_status load_conf(loader *L, uint64_t len)
{
    unsigned char *conf = NULL;
    uint64_t want = len == CONF_NOISE_BYTES || len == CONF_SHARE_BYTES ? len : CONF_BYTES;
    theta_status st = read_fixed(L, len, want, "CONF", &conf);
    if (st)
        return st;
    decode_conf(conf, &L->cfg);
    if (len >= CONF_NOISE_BYTES)
        decode_conf_noise(conf + CONF_BYTES, &L->cfg);
    L->cfg.share_negatives = len == CONF_SHARE_BYTES ? (int)theta__get_u32(conf + CONF_NOISE_BYTES) : 1;
    free(conf);
    if (theta_config_validate(&L->cfg)) {
        char why[256]; /* the message buffer is about to be rewritten */
        snprintf(why, sizeof why, "%s", theta_last_error());
        return theta__fail(THETA_EFORMAT, "%s: invalid hyper-parameters: %s", L->r.path, why);
    }
    return THETA_OK;
}

/* VOCB: the vocabulary, and with it the model's shell. */
static theta_status load_vocab(loader *L, uint64_t len)
{
    unsigned char *vocb = NULL;
    theta_vocab *vocab = NULL;
    theta_status st = read_small(&L->r, len, "VOCB", &vocb);
    if (!st)
        st = parse_vocab(&L->r, vocb, len, &vocab);
    free(vocb);
    if (st)
        return st;
    if (!(L->m = model_shell(&L->cfg, vocab))) {
        theta_vocab_free(vocab);
        return THETA_ENOMEM;
    }
    return THETA_OK;
}

/* STAT: the training state. */
static theta_status load_state(loader *L, uint64_t len)
{
    unsigned char *stat = NULL;
    theta_status st = read_fixed(L, len, STAT_BYTES, "STAT", &stat);
    if (st)
        return st;
    theta_train_state *t = &L->m->state;
    decode_state(stat, t);
    free(stat);
    if (t->epoch < 0 || t->words_done < 0 || t->chunks_done < 0 || t->train_words < 0 ||
        t->loss_count < 0)
        return theta__fail(THETA_EFORMAT, "%s: STAT section has a negative counter", L->r.path);
    return THETA_OK;
}

/* RANK: an MPI run's places and input fingerprints; INPT: the input
 * fingerprints of a one-process run over several files. */
static theta_status load_shares(loader *L, uint64_t len)
{
    unsigned char *rank = NULL;
    theta_status st = read_small(&L->r, len, L->inputs ? "INPT" : "RANK", &rank);
    if (!st)
        st = L->inputs ? parse_inputs(&L->r, rank, len, &L->m->shares)
                       : parse_shares(&L->r, rank, len, &L->m->shares);
    free(rank);
    return st;
}

static theta_status load_section(loader *L, int s, uint64_t len)
{
    theta_model *m = L->m;
    switch (s) {
    case 0: return load_conf(L, len);
    case 1: return load_vocab(L, len);
    case 2: return load_state(L, len);
    case 3: return read_matrix(&L->r, len, "MATI", m->vocab->size, L->cfg.dim, &m->in);
    case 4: return read_matrix(&L->r, len, "MATO", m->out_rows, L->cfg.dim, &m->out);
    default: return load_shares(L, len);
    }
}

theta_status theta_model_load(const char *path, theta_model **out)
{
    loader L;
    memset(&L, 0, sizeof L);
    uint32_t nsections = 0;
    theta_status st = open_model_file(&L, path, &nsections);
    for (int s = 0; !st && s < (int)nsections; s++) {
        uint64_t len = 0;
        if (!(st = section_header(&L, s, &len)))
            st = load_section(&L, s, len);
    }
    if (!st && L.r.pos != L.r.size)
        st = theta__fail(THETA_EFORMAT, "%s: %llu unexpected bytes after the last section", path,
                         (unsigned long long)(L.r.size - L.r.pos));
    if (!st)
        st = build_tables(L.m);
    if (L.r.f)
        fclose(L.r.f);
    if (st) {
        theta_model_free(L.m);
        return st;
    }
    *out = L.m;
    return THETA_OK;
}

/* Reads the first 16 bytes of path; 1 if it could, 0 if not (errno set). */
static int read_header(const char *path, unsigned char head[16])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, 16, f);
    fclose(f);
    if (n != 16)
        memset(head + n, 0, 16 - n);
    return 1;
}

int theta_file_is_model(const char *path)
{
    unsigned char head[16];
    return read_header(path, head) && memcmp(head, MAGIC, 8) == 0;
}

theta_status theta_model_peek(const char *path, theta_model_header *out)
{
    unsigned char head[16];
    if (!read_header(path, head))
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (memcmp(head, MAGIC, 8) != 0)
        return theta__fail(THETA_EFORMAT, "%s: not a theta model (bad magic)", path);
    out->version = theta__get_u32(head + 8);
    out->sections = theta__get_u32(head + 12);
    return THETA_OK;
}
