build-mpi/tests/check_eval.o: tests/check_eval.c build-mpi/tests/suites.h \
 tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
