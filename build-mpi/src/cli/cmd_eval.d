build-mpi/src/cli/cmd_eval.o: src/cli/cmd_eval.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
