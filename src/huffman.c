/*
 * huffman.c — the Huffman tree of hierarchical softmax, built in O(V) from
 * counts already sorted in descending order (two-queue method). Word w's
 * path is point[offset[w] .. offset[w+1]) (inner node ids, root first) with
 * branch bits in code[]. Inner node ids run 0 .. V-2; the root is V-2.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

theta_status theta_huffman_build(theta_huffman *h, const theta_vocab *v)
{
    memset(h, 0, sizeof *h);
    int32_t n = v->size;
    if (n < 2)
        return theta__fail(THETA_EDATA, "hierarchical softmax needs at least 2 words");
    size_t nodes = (size_t)n * 2 - 1;
    int64_t *count = theta__alloc(nodes, sizeof *count);
    int32_t *parent = theta__alloc(nodes, sizeof *parent);
    uint8_t *bit = theta__calloc(nodes, 1);
    int32_t *depth = theta__alloc(nodes, sizeof *depth);
    h->offset = theta__alloc((size_t)n + 1, sizeof *h->offset);
    if (!count || !parent || !bit || !depth || !h->offset)
        goto nomem;
    /* order: the leaves in ascending count order, for queue A. Entries 1..
     * are sorted descending, so they are walked backwards; </s> (entry 0,
     * counted once per line, not sorted with the words) goes where its
     * count fits. */
    int32_t *order = theta__alloc((size_t)n, sizeof *order);
    if (!order)
        goto nomem;
    {
        int32_t k = 0;
        int64_t c0 = v->entries[0].count;
        int placed = 0;
        for (int32_t i = n - 1; i >= 1; i--) {
            if (!placed && c0 <= v->entries[i].count) {
                order[k++] = 0;
                placed = 1;
            }
            order[k++] = i;
        }
        if (!placed)
            order[k++] = 0;
    }
    for (int32_t i = 0; i < n; i++)
        count[i] = v->entries[i].count > 0 ? v->entries[i].count : 0;
    /* queue A: leaves in ascending order; queue B: new inner nodes (ascending by construction) */
    int32_t a = 0;
    size_t b_head = (size_t)n, b_tail = (size_t)n;
    for (int32_t k = 0; k < n - 1; k++) {
        int32_t pick[2];
        for (int j = 0; j < 2; j++) {
            if (a < n && (b_head == b_tail || count[order[a]] <= count[b_head]))
                pick[j] = order[a++];
            else
                pick[j] = (int32_t)b_head++;
        }
        size_t node = b_tail++;
        count[node] = count[pick[0]] + count[pick[1]];
        parent[pick[0]] = (int32_t)node;
        parent[pick[1]] = (int32_t)node;
        bit[pick[0]] = 0;
        bit[pick[1]] = 1;
    }
    size_t root = nodes - 1;
    /* depths from the root down (parents have higher ids than children) */
    depth[root] = 0;
    for (size_t i = root; i-- > 0;)
        depth[i] = depth[parent[i]] + 1;
    h->offset[0] = 0;
    h->max_depth = 0;
    for (int32_t w = 0; w < n; w++) {
        h->offset[w + 1] = h->offset[w] + depth[w];
        if (depth[w] > h->max_depth)
            h->max_depth = depth[w];
    }
    h->code = theta__alloc((size_t)h->offset[n], 1);
    h->point = theta__alloc((size_t)h->offset[n], sizeof *h->point);
    if (!h->code || !h->point) {
        free(order);
        goto nomem;
    }
    for (int32_t w = 0; w < n; w++) {
        int64_t pos = h->offset[w + 1];
        for (size_t x = (size_t)w; x != root; x = (size_t)parent[x]) {
            pos--;
            h->code[pos] = bit[x];
            h->point[pos] = (int32_t)((size_t)parent[x] - (size_t)n);
        }
    }
    h->n = n;
    free(order);
    free(count); free(parent); free(bit); free(depth);
    return THETA_OK;
nomem:
    free(count); free(parent); free(bit); free(depth);
    theta_huffman_free(h);
    return THETA_ENOMEM;
}

void theta_huffman_free(theta_huffman *h)
{
    free(h->offset);
    free(h->code);
    free(h->point);
    memset(h, 0, sizeof *h);
}
