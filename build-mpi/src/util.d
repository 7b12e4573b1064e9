build-mpi/src/util.o: src/util.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
