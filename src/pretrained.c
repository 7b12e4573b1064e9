/*
 * pretrained.c — starting a new model from vectors trained elsewhere, and
 * continuing a saved model on new text.
 *
 * theta_pretrained_load reads the vectors (a word-vector file, or one matrix
 * of a theta model); theta_model_fill_rows copies them into the rows of a
 * model's matrix whose words they name. theta_model_extend builds the model
 * a continued run trains: the old model's words and rows, then the new
 * corpus's words. Neither trains, prints nor keeps state of its own.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- pretrained vectors ------------------------------------------------- */

/* One matrix of a theta model as named vectors (words and rows copied). */
static theta_status vectors_of_model(const char *path, int which, theta_vectors **out)
{
    theta_model *m;
    theta_status st = theta_model_load(path, &m);
    if (st)
        return st;
    if (which == 1 && m->cfg.loss == THETA_LOSS_HS) {
        theta_model_free(m);
        return theta__fail(THETA_EINVAL, "%s was trained with loss hs: the rows of its output "
                                         "matrix are tree nodes, not words", path);
    }
    const int64_t rows = which ? m->out_rows : m->vocab->size;
    const int dim = m->cfg.dim;
    theta_vectors *v = theta__calloc(1, sizeof *v);
    if (!v) {
        theta_model_free(m);
        return THETA_ENOMEM;
    }
    v->dim = dim;
    v->words = theta__calloc((size_t)rows, sizeof *v->words);
    v->data = theta__alloc((size_t)rows * (size_t)dim, sizeof *v->data);
    st = v->words && v->data ? THETA_OK : THETA_ENOMEM;
    for (int64_t r = 0; r < rows && !st; r++, v->rows++) {
        const theta_vocab_entry *e = &m->vocab->entries[r];
        if (!(v->words[r] = theta__alloc(e->len + 1, 1)))
            st = THETA_ENOMEM;
        else
            memcpy(v->words[r], e->word, e->len + 1);
    }
    if (!st)
        memcpy(v->data, which ? m->out : m->in, (size_t)rows * (size_t)dim * sizeof *v->data);
    snprintf(v->format, sizeof v->format, "theta-model");
    theta_model_free(m);
    if (st) {
        theta_vectors_free(v);
        return st;
    }
    *out = v;
    return THETA_OK;
}

theta_status theta_pretrained_load(const char *path, int which, theta_vectors **out)
{
    if (which != 0 && which != 1)
        return theta__fail(THETA_EINVAL, "matrix must be 0 (input) or 1 (output), not %d", which);
    theta_vectors *v;
    theta_status st = theta_file_is_model(path) ? vectors_of_model(path, which, &v)
                                                : theta_vectors_load(path, &v);
    if (st)
        return st;
    if (v->rows < 1) {
        theta_vectors_free(v);
        return theta__fail(THETA_EDATA, "%s holds no vectors", path);
    }
    *out = v;
    return THETA_OK;
}

theta_status theta_model_fill_rows(theta_model *m, int which, const theta_vectors *src,
                                   int32_t from_row, int64_t *matched)
{
    if (which != 0 && which != 1)
        return theta__fail(THETA_EINVAL, "matrix must be 0 (input) or 1 (output), not %d", which);
    if (which == 1 && m->cfg.loss == THETA_LOSS_HS)
        return theta__fail(THETA_EINVAL, "with loss hs the output matrix's rows are tree nodes, "
                                         "not words: it cannot start from word vectors");
    const int dim = m->cfg.dim;
    if (src->dim != dim)
        return theta__fail(THETA_EINVAL, "the vectors have %d dimensions, the model %d",
                           src->dim, dim);
    const int32_t rows = m->vocab->size;
    if (from_row < 0)
        from_row = 0;
    /* row_of[r]: the first source row naming word r, or -1 */
    int64_t *row_of = theta__alloc((size_t)rows + 1, sizeof *row_of);
    if (!row_of)
        return THETA_ENOMEM;
    for (int32_t r = 0; r < rows; r++)
        row_of[r] = -1;
    for (int64_t s = src->rows - 1; s >= 0; s--) {
        int32_t id = theta_vocab_find(m->vocab, src->words[s], strlen(src->words[s]));
        if (id >= from_row)
            row_of[id] = s;
    }
    /* every vector taken must be finite before any row is written */
    for (int32_t r = from_row; r < rows; r++) {
        if (row_of[r] < 0)
            continue;
        const float *v = src->data + (size_t)row_of[r] * (size_t)dim;
        for (int j = 0; j < dim; j++)
            if (!isfinite(v[j])) {
                theta_status st = theta__fail(THETA_EDATA, "the vector of '%s' (row %lld) holds "
                                                           "a NaN or an infinity",
                                              src->words[row_of[r]], (long long)row_of[r] + 1);
                free(row_of);
                return st;
            }
    }
    float *dst = which ? m->out : m->in;
    int64_t n = 0;
    for (int32_t r = from_row; r < rows; r++) {
        if (row_of[r] < 0)
            continue;
        memcpy(dst + (size_t)r * (size_t)dim, src->data + (size_t)row_of[r] * (size_t)dim,
               (size_t)dim * sizeof *dst);
        n++;
    }
    free(row_of);
    if (matched)
        *matched = n;
    return THETA_OK;
}

/* ---- continuing on new text --------------------------------------------- */

/* The vocabulary of the continued run: old's words in order, counts summed
 * with added's, then added's other words that reach min_count, in added's
 * order, up to max_vocab rows. *tokens: added's counts of the words kept. */
static theta_status merge_vocab(const theta_vocab *old, const theta_vocab *added,
                                const theta_config *cfg, theta_vocab **out, int64_t *tokens)
{
    theta_vocab *v = theta_vocab_new();
    if (!v)
        return THETA_ENOMEM;
    theta_status st = THETA_OK;
    int64_t seen = 0, dropped = 0;
    for (int32_t i = 0; i < old->size && !st; i++) {
        const theta_vocab_entry *e = &old->entries[i];
        int32_t j = theta_vocab_find(added, e->word, e->len);
        int64_t more = j >= 0 ? added->entries[j].count : 0;
        if (more > INT64_MAX - e->count || e->count + more > INT64_MAX - v->total)
            st = theta__fail(THETA_EDATA, "the counts of '%s' overflow", e->word);
        else
            st = theta_vocab_add(v, e->word, e->len, e->count + more);
        seen += more;
    }
    for (int32_t j = 0; j < added->size && !st; j++) {
        const theta_vocab_entry *e = &added->entries[j];
        if (theta_vocab_find(old, e->word, e->len) >= 0)
            continue;
        if (e->count < cfg->min_count || (cfg->max_vocab > 0 && v->size >= cfg->max_vocab)) {
            dropped++;
            continue;
        }
        if (e->count > INT64_MAX - v->total)
            st = theta__fail(THETA_EDATA, "the counts of '%s' overflow", e->word);
        else
            st = theta_vocab_add(v, e->word, e->len, e->count);
        seen += e->count;
    }
    if (st) {
        theta_vocab_free(v);
        return st;
    }
    v->dropped_words = dropped;
    v->pruned_words = added->pruned_words;
    v->pruned_below = added->pruned_below;
    v->bytes_read = added->bytes_read;
    *out = v;
    *tokens = seen;
    return THETA_OK;
}

theta_status theta_model_extend(const theta_model *old, const theta_vocab *added,
                                const theta_config *cfg, theta_model **out)
{
    const theta_config *oc = &old->cfg;
    if (cfg->dim != oc->dim)
        return theta__fail(THETA_EMISMATCH, "the model has %d dimensions, this run %d", oc->dim,
                           cfg->dim);
    if (cfg->loss != oc->loss)
        return theta__fail(THETA_EMISMATCH, "the model was trained with loss %s, this run asks "
                                            "for %s", theta_loss_name(oc->loss),
                           theta_loss_name(cfg->loss));
    if (cfg->arch != oc->arch)
        return theta__fail(THETA_EMISMATCH, "the model is %s, this run asks for %s",
                           theta_arch_name(oc->arch), theta_arch_name(cfg->arch));
    if (oc->loss == THETA_LOSS_HS)
        return theta__fail(THETA_EINVAL, "a model trained with loss hs cannot continue on new "
                                         "text: its output rows are the nodes of a Huffman tree "
                                         "built from the old counts");
    theta_vocab *v;
    int64_t tokens = 0;
    theta_status st = merge_vocab(old->vocab, added, cfg, &v, &tokens);
    if (st)
        return st;
    if (tokens <= 0) {
        theta_vocab_free(v);
        return theta__fail(THETA_EDATA, "the new text holds no word of the vocabulary");
    }
    theta_model *m;
    if ((st = theta_model_new(cfg, v, &m)))
        return st;
    /* old rows over the new start: ids 0..old size-1 are the old words */
    const size_t dim = (size_t)cfg->dim;
    memcpy(m->in, old->in, (size_t)old->vocab->size * dim * sizeof *m->in);
    memcpy(m->out, old->out, (size_t)old->out_rows * dim * sizeof *m->out);
    /* a new run over the new text; the counts (sampler, subsampling) sum both */
    memset(&m->state, 0, sizeof m->state);
    m->state.train_words = tokens;
    *out = m;
    return THETA_OK;
}
