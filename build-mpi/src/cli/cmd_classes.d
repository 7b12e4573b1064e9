build-mpi/src/cli/cmd_classes.o: src/cli/cmd_classes.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
