build-mpi/src/cli/cmd_info.o: src/cli/cmd_info.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
