build-mpi/src/vocab.o: src/vocab.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
