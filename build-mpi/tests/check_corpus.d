build-mpi/tests/check_corpus.o: tests/check_corpus.c \
 build-mpi/tests/suites.h tests/testutil.h include/theta.h
build-mpi/tests/suites.h:
tests/testutil.h:
include/theta.h:
