build-mpi/src/rng.o: src/rng.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
