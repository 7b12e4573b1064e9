build-mpi/src/sampler.o: src/sampler.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
