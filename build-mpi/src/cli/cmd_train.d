build-mpi/src/cli/cmd_train.o: src/cli/cmd_train.c src/cli/cli.h \
 include/theta.h src/theta_mpi.h
src/cli/cli.h:
include/theta.h:
src/theta_mpi.h:
