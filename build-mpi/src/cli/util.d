build-mpi/src/cli/util.o: src/cli/util.c src/cli/cli.h include/theta.h
src/cli/cli.h:
include/theta.h:
