build-mpi/tests/check_cmd_dims.o: tests/check_cmd_dims.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
