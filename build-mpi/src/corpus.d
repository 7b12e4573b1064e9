build-mpi/src/corpus.o: src/corpus.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
