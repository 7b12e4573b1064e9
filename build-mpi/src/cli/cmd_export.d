build-mpi/src/cli/cmd_export.o: src/cli/cmd_export.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
