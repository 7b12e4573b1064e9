/*
 * dims_impl.h — the body of dims.c's Gram block, included once per
 * instruction set with VW (doubles per hardware vector) and SUFFIX defined,
 * inside a GCC target region (isa.h).
 *
 * Tiles of 4 rows x 2 VW columns of G, each held in eight VW-double
 * accumulators. Every element G[i][j] gets the same additions in the same
 * order (b = 0, 1, ..., nb - 1, then one add into G) whatever VW is, so all
 * instances give identical results on and above the diagonal.
 */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, SUFFIX)
#define TW (2 * VW) /* columns per tile */

typedef double F(vd) __attribute__((vector_size(VW * 8)));

/* G[i][j] += sum over the nb rows b of X[b][i] * X[b][j], for the tiles on
 * and above the diagonal. X: (nb, kp) row-major, kp a multiple of 8. */
static void F(gram_block)(const double *X, int nb, int kp, double *G)
{
    for (int i = 0; i < kp; i += 4)
        for (int j = i & ~(TW - 1); j < kp; j += TW) {
            F(vd) a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            F(vd) b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
            for (int b = 0; b < nb; b++) {
                const double *x = X + (size_t)b * (size_t)kp;
                F(vd) y0, y1;
                memcpy(&y0, x + j, sizeof y0);
                memcpy(&y1, x + j + VW, sizeof y1);
                /* scalar times vector: x[i + r] in every lane */
                a0 += x[i] * y0;
                b0 += x[i] * y1;
                a1 += x[i + 1] * y0;
                b1 += x[i + 1] * y1;
                a2 += x[i + 2] * y0;
                b2 += x[i + 2] * y1;
                a3 += x[i + 3] * y0;
                b3 += x[i + 3] * y1;
            }
            F(vd) acc[4][2] = {{a0, b0}, {a1, b1}, {a2, b2}, {a3, b3}};
            for (int r = 0; r < 4; r++)
                for (int h = 0; h < 2; h++) {
                    double *g = G + (size_t)(i + r) * (size_t)kp + j + VW * h;
                    F(vd) t;
                    memcpy(&t, g, sizeof t);
                    t += acc[r][h];
                    memcpy(g, &t, sizeof t);
                }
        }
}

#undef TW
#undef F
#undef CAT
#undef CAT2
