build-mpi/tests/check_sampler.o: tests/check_sampler.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
