build-mpi/src/dims.o: src/dims.c src/dims.h src/internal.h \
 include/theta.h
src/dims.h:
src/internal.h:
include/theta.h:
