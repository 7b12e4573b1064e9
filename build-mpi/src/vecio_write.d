build-mpi/src/vecio_write.o: src/vecio_write.c src/internal.h \
 include/theta.h
src/internal.h:
include/theta.h:
