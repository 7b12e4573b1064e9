build-mpi/tests/check_rng.o: tests/check_rng.c build-mpi/tests/suites.h \
 tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
