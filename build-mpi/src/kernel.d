build-mpi/src/kernel.o: src/kernel.c src/kernel.h include/theta.h \
 src/kernel_impl.h
src/kernel.h:
include/theta.h:
src/kernel_impl.h:
