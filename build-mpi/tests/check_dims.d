build-mpi/tests/check_dims.o: tests/check_dims.c src/dims.h \
 src/internal.h include/theta.h build-mpi/tests/suites.h tests/testutil.h
src/dims.h:
src/internal.h:
include/theta.h:
build-mpi/tests/suites.h:
tests/testutil.h:
