build-mpi/src/cli/cmd_analogy.o: src/cli/cmd_analogy.c src/cli/cli.h \
 include/theta.h
src/cli/cli.h:
include/theta.h:
