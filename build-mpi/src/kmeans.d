build-mpi/src/kmeans.o: src/kmeans.c src/internal.h include/theta.h \
 src/linalg.h
src/internal.h:
include/theta.h:
src/linalg.h:
