build-mpi/src/eval.o: src/eval.c src/internal.h include/theta.h \
 src/linalg.h
src/internal.h:
include/theta.h:
src/linalg.h:
