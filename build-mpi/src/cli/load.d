build-mpi/src/cli/load.o: src/cli/load.c src/cli/cli.h include/theta.h
src/cli/cli.h:
include/theta.h:
