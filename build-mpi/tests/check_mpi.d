build-mpi/tests/check_mpi.o: tests/check_mpi.c build-mpi/tests/suites.h \
 tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
