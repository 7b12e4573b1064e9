build-mpi/src/cli/main.o: src/cli/main.c src/cli/cli.h include/theta.h
src/cli/cli.h:
include/theta.h:
