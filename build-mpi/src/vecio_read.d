build-mpi/src/vecio_read.o: src/vecio_read.c src/internal.h \
 include/theta.h
src/internal.h:
include/theta.h:
