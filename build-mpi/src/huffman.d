build-mpi/src/huffman.o: src/huffman.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
