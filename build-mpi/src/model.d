build-mpi/src/model.o: src/model.c src/internal.h include/theta.h
src/internal.h:
include/theta.h:
