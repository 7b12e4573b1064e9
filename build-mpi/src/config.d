build-mpi/src/config.o: src/config.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
