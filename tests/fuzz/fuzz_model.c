/*
 * fuzz_model.c — libFuzzer target for theta_model_load (.theta files).
 *
 * Each input is loaded as it is, which mostly exercises the CRC checks, and
 * then, if some section CRC does not match, again with every section CRC
 * recomputed, so the fuzzer reaches the parsing behind the checksums
 * (configuration, vocabulary, training state, matrix shapes). A failure
 * must come with a message; a success must be a consistent model.
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
