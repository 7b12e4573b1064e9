build-mpi/src/linalg.o: src/linalg.c src/linalg.h
src/linalg.h:
