build-mpi/src/cli/cmd_dims.o: src/cli/cmd_dims.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
