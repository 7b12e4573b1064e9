/*
 * fuzz_model.c — libFuzzer target for theta_model_load (.theta files).
 *
 * Each input is loaded as it is, which mostly exercises the CRC checks, and
 * then, if some section CRC does not match, again with every section CRC
 * recomputed, so the fuzzer reaches the parsing behind the checksums
 * (configuration, vocabulary, training state, matrix shapes). A failure
 * must come with a message; a success must be a consistent model that
 * theta_model_save writes and theta_model_load reads back unchanged.
 */
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "theta.h"

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Rewrites the CRC after each of the (at most 5) sections that fit; returns
 * the number of CRCs changed. Layout: 16-byte header, then per section tag
 * (4), length (u64 LE), payload, CRC-32 (u32 LE). */
static int fix_crcs(uint8_t *b, size_t size)
{
    size_t pos = 16;
    int changed = 0;
    for (int s = 0; s < 5 && size >= 12 && pos <= size - 12; s++) {
        uint64_t len = get_u64(b + pos + 4);
        pos += 12;
        if (len > size - pos || size - pos - len < 4)
            break;
        uint32_t crc = (uint32_t)crc32(0, b + pos, (uInt)len);
        pos += len;
        uint8_t c[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)};
        if (memcmp(b + pos, c, 4) != 0) {
            memcpy(b + pos, c, 4);
            changed++;
        }
        pos += 4;
    }
    return changed;
}

static void check_model(const theta_model *m)
{
    const theta_vocab *v = m->vocab;
    FUZZ_REQUIRE(v != NULL && v->size >= 2, "vocabulary");
    FUZZ_REQUIRE(strcmp(v->entries[0].word, THETA_EOS) == 0, "id 0 is not %s", THETA_EOS);
    FUZZ_REQUIRE(m->cfg.dim >= 1, "dim %d", m->cfg.dim);
    FUZZ_REQUIRE(m->out_rows == (m->cfg.loss == THETA_LOSS_HS ? v->size - 1 : v->size),
                 "%lld output rows for %d words", (long long)m->out_rows, v->size);
    FUZZ_REQUIRE(m->in != NULL && m->out != NULL, "matrices");
    uint32_t bits = 0;
    size_t nin = (size_t)v->size * (size_t)m->cfg.dim, nout = (size_t)m->out_rows * (size_t)m->cfg.dim;
    for (size_t i = 0; i < nin; i++)
        bits += (uint32_t)(m->in[i] != m->in[i]);
    for (size_t i = 0; i < nout; i++)
        bits += (uint32_t)(m->out[i] != m->out[i]);
    char name[THETA_MAX_WORD * 4 + 32];
    theta_model_out_name(m, m->out_rows - 1, name, sizeof name);
    FUZZ_REQUIRE(name[0] != '\0', "empty output row name");
    fuzz_sink = bits;
}

static void same_model(const theta_model *a, const theta_model *b)
{
    const theta_config *x = &a->cfg, *y = &b->cfg;
    FUZZ_REQUIRE(x->arch == y->arch && x->loss == y->loss && x->dim == y->dim &&
                     x->window == y->window && x->negative == y->negative &&
                     x->epochs == y->epochs && x->threads == y->threads &&
                     x->min_count == y->min_count && x->max_vocab == y->max_vocab &&
                     x->seed == y->seed && x->kernel == y->kernel &&
                     x->init_in.kind == y->init_in.kind && x->init_out.kind == y->init_out.kind &&
                     memcmp(&x->sample, &y->sample, sizeof x->sample) == 0 &&
                     memcmp(&x->alpha, &y->alpha, sizeof x->alpha) == 0 &&
                     memcmp(&x->min_alpha_ratio, &y->min_alpha_ratio, sizeof(double)) == 0 &&
                     memcmp(&x->init_in.value, &y->init_in.value, sizeof(double)) == 0 &&
                     memcmp(&x->init_out.value, &y->init_out.value, sizeof(double)) == 0,
                 "configuration changed");
    const theta_train_state *s = &a->state, *t = &b->state;
    FUZZ_REQUIRE(s->epoch == t->epoch && s->words_done == t->words_done &&
                     s->chunks_done == t->chunks_done && s->train_words == t->train_words &&
                     s->loss_count == t->loss_count && s->corpus_bytes == t->corpus_bytes &&
                     s->corpus_crc == t->corpus_crc &&
                     memcmp(&s->loss_sum, &t->loss_sum, sizeof(double)) == 0,
                 "training state changed");
    FUZZ_REQUIRE(a->vocab->size == b->vocab->size, "vocabulary size changed");
    for (int32_t i = 0; i < a->vocab->size; i++)
        FUZZ_REQUIRE(strcmp(a->vocab->entries[i].word, b->vocab->entries[i].word) == 0 &&
                         a->vocab->entries[i].count == b->vocab->entries[i].count,
                     "vocabulary entry %d changed", i);
    FUZZ_REQUIRE(a->out_rows == b->out_rows, "output rows changed");
    size_t nin = (size_t)a->vocab->size * (size_t)a->cfg.dim;
    size_t nout = (size_t)a->out_rows * (size_t)a->cfg.dim;
    FUZZ_REQUIRE(memcmp(a->in, b->in, nin * sizeof(float)) == 0, "input matrix changed");
    FUZZ_REQUIRE(memcmp(a->out, b->out, nout * sizeof(float)) == 0, "output matrix changed");
}

static void round_trip(const theta_model *m)
{
    char path[300];
    snprintf(path, sizeof path, "%s/round-trip.theta", fuzz_dir());
    FUZZ_REQUIRE(theta_model_save(m, path) == THETA_OK, "save: %s", theta_last_error());
    theta_model *back = NULL;
    FUZZ_REQUIRE(theta_model_load(path, &back) == THETA_OK, "reload: %s", theta_last_error());
    same_model(m, back);
    theta_model_free(back);
}

static void load(const uint8_t *data, size_t size)
{
    theta_model *m = NULL;
    theta_status st = theta_model_load(fuzz_file(data, size), &m);
    if (st != THETA_OK) {
        FUZZ_REQUIRE(m == NULL, "output written on failure");
        FUZZ_REQUIRE(theta_last_error()[0] != '\0', "failure %d without a message", st);
        return;
    }
    check_model(m);
    round_trip(m);
    theta_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_REQUIRE(copy != NULL, "out of memory");
    memcpy(copy, data, size);
    if (fix_crcs(copy, size) > 0)
        load(copy, size);
    free(copy);
    return 0;
}
