build-mpi/tests/check_reliability.o: tests/check_reliability.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
