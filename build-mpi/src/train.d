build-mpi/src/train.o: src/train.c src/internal.h include/theta.h \
 src/kernel.h
src/internal.h:
include/theta.h:
src/kernel.h:
