build-mpi/tests/check_vecwrite.o: tests/check_vecwrite.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
