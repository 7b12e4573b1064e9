build-mpi/tests/check_util.o: tests/check_util.c src/internal.h \
 include/theta.h build-mpi/tests/suites.h tests/testutil.h
src/internal.h:
include/theta.h:
build-mpi/tests/suites.h:
tests/testutil.h:
