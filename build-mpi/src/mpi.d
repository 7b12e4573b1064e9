build-mpi/src/mpi.o: src/mpi.c src/theta_mpi.h include/theta.h \
 src/internal.h /usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h \
 /usr/lib/x86_64-linux-gnu/openmpi/include/mpi_portable_platform.h
src/theta_mpi.h:
include/theta.h:
src/internal.h:
/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h:
/usr/lib/x86_64-linux-gnu/openmpi/include/mpi_portable_platform.h:
