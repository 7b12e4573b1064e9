build-mpi/src/error.o: src/error.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
