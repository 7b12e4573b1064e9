build-mpi/src/cli/cmd_nn.o: src/cli/cmd_nn.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
