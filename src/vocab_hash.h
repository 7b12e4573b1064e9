/*
 * vocab_hash.h — the private half of theta_vocab (vocab.c): the hash table
 * and the bookkeeping of counting. Not installed; only vocab.c and the
 * tests look inside.
 */
#ifndef THETA_VOCAB_HASH_H
#define THETA_VOCAB_HASH_H

#include "internal.h"
#include "theta.h"

/* A hash table slot, 32 bytes: the id (-1 = empty), the word's hash and
 * length and its first bytes, so a lookup of a word of up to
 * THETA__VOCAB_HEAD bytes touches one cache line and never the entries. */
#define THETA__VOCAB_HEAD 23
typedef struct {
    int32_t id;
    uint32_t hash;
    uint8_t len;                  /* the word's length, 255 for 255 or more */
    char head[THETA__VOCAB_HEAD]; /* its first bytes, zero padded */
} theta__vocab_slot;

struct theta__vocab_hash {
    theta__vocab_slot *table; /* [table_size] open addressing, linear probing */
    size_t table_size;        /* power of two */
    int32_t capacity;         /* entries allocated */
    int64_t prune_limit;      /* while counting: prune when size exceeds this (0: never) */
    /* the corpus as word ids, recorded while counting (theta__vocab_build_ids) */
    int64_t record_max;       /* while counting: record at most this many ids (0: none) */
    theta__id_run *runs;      /* [nruns] in corpus order; NULL: nothing recorded */
    int nruns;
    char *ids_path;           /* the file they are of */
};

#endif
