#!/usr/bin/env bash
# Prints a generated English-like corpus of N sentences (default 40000) with
# planted structure: each sentence is about one topic and draws its nouns,
# verbs and adjectives from that topic's word lists. Deterministic.
set -euo pipefail
n=${1:-40000}
awk -v n="$n" 'BEGIN {
    srand(1)
    topic[0] = "king queen prince throne crown palace kingdom lord servant army|rules commands judges crowns serves guards|royal mighty wise noble proud"
    topic[1] = "water river sea rain fish boat shore wave flood well|flows rises drinks sails floods pours|deep cold wide blue still"
    topic[2] = "god heaven angel prayer spirit temple priest altar faith soul|blesses saves prays worships forgives praises|holy eternal divine sacred pure"
    topic[3] = "bread wine fruit meat table feast oil honey cup harvest|eats drinks bakes gathers shares tastes|sweet fresh ripe rich warm"
    topic[4] = "sword battle enemy soldier shield war spear chariot horse camp|fights strikes defends attacks flees wins|fierce brave bloody strong swift"
    topic[5] = "field seed vine tree shepherd sheep cattle plough grain flock|grows plants reaps feeds waters tends|green fertile wild young tall"
    glue = "the a his her their this that every"
    ng = split(glue, G, " ")
    for (t = 0; t < 6; t++) {
        split(topic[t], part, "|")
        nn[t] = split(part[1], tmp, " "); for (i = 1; i <= nn[t]; i++) N[t, i] = tmp[i]
        nv[t] = split(part[2], tmp, " "); for (i = 1; i <= nv[t]; i++) V[t, i] = tmp[i]
        na[t] = split(part[3], tmp, " "); for (i = 1; i <= na[t]; i++) A[t, i] = tmp[i]
    }
    for (s = 0; s < n; s++) {
        t = int(rand() * 6)
        line = G[1 + int(rand() * ng)] " " A[t, 1 + int(rand() * na[t])] " " N[t, 1 + int(rand() * nn[t])]
        line = line " " V[t, 1 + int(rand() * nv[t])] " " G[1 + int(rand() * ng)] " " N[t, 1 + int(rand() * nn[t])]
        if (rand() < 0.5)
            line = line " and " G[1 + int(rand() * ng)] " " N[t, 1 + int(rand() * nn[t])]
        print line
    }
}'
