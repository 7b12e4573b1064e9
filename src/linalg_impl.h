/*
 * linalg_impl.h — the body of linalg.c's tile, included once per
 * instruction set with SUFFIX defined, inside a GCC target region (isa.h).
 *
 * The outer-product form: for each dimension, four row values times one
 * panel line of eight queries, with the 4 x 8 sums held in four 8-float
 * vectors (GCC's vector extension; left to itself, gcc vectorizes the d
 * loop instead and shuffles, 4x slower). Every instance does the same float
 * operations in the same order per output, so their results are identical.
 */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, SUFFIX)

static void F(tile)(const float *const row[THETA__MR], const float *panel, int dim,
                    float out[THETA__MR][THETA__PANEL])
{
    v8f c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    const float *r0 = row[0], *r1 = row[1], *r2 = row[2], *r3 = row[3];
    for (int d = 0; d < dim; d++) {
        v8f p;
        memcpy(&p, panel + (size_t)d * THETA__PANEL, sizeof p);
        c0 += r0[d] * p;
        c1 += r1[d] * p;
        c2 += r2[d] * p;
        c3 += r3[d] * p;
    }
    memcpy(out[0], &c0, sizeof c0);
    memcpy(out[1], &c1, sizeof c1);
    memcpy(out[2], &c2, sizeof c2);
    memcpy(out[3], &c3, sizeof c3);
}

#undef F
#undef CAT
#undef CAT2
