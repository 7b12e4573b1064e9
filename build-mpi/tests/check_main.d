build-mpi/tests/check_main.o: tests/check_main.c build-mpi/tests/suites.h
build-mpi/tests/suites.h:
