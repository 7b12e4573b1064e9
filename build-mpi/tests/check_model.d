build-mpi/tests/check_model.o: tests/check_model.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
