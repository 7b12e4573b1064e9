build-mpi/tests/check_cli.o: tests/check_cli.c build-mpi/tests/suites.h \
 tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
