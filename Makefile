# theta — plain Makefile. Knobs (override on the command line):
#   OPT=-O3          optimisation flags
#   SANITIZE=1       AddressSanitizer + UBSan build in build-asan/
#   SANITIZE=thread  ThreadSanitizer build in build-tsan/
#   WERROR=1         treat warnings as errors (CI)
#   MPI=1            data-parallel training over MPI: mpicc, build in build-mpi/
#   PREFIX=/usr/local  install prefix
CC      ?= cc
OPT     ?= -O3
PREFIX  ?= /usr/local
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

BUILD := build
ifeq ($(SANITIZE),1)
  BUILD := build-asan
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  OPT := -O1 -g
else ifeq ($(SANITIZE),thread)
  BUILD := build-tsan
  SANFLAGS := -fsanitize=thread
  OPT := -O1 -g
endif
# MPI: src/mpi.c and the THETA_MPI parts of the CLI, compiled by mpicc (Open
# MPI or MPICH); without MPI=1 nothing of MPI is compiled or linked.
ifeq ($(MPI),1)
  CC := mpicc
  BUILD := build-mpi
  MPIFLAGS := -DTHETA_MPI
else
  NO_MPI_SRC := src/mpi.c
endif
ifeq ($(WERROR),1)
  WARN += -Werror
endif

# -ffp-contract=off: every dimension must get the same arithmetic (no FMA in
# one loop and not in another), or the symmetry experiments lie.
CFLAGS  ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -g -ffp-contract=off $(WARN) $(SANFLAGS) $(MPIFLAGS) -Iinclude -Isrc $(CFLAGS)
LDLIBS  := -lz -lm -pthread
LDFLAGS ?=
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(filter-out $(NO_MPI_SRC),$(sort $(wildcard src/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/check_*.c))
# every tests/check_<name>.c but the runner defines Suite *<name>_suite(void)
SUITES   := $(filter-out main,$(patsubst tests/check_%.c,%,$(TEST_SRC)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/testutil.o
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

THETA    := $(BUILD)/theta
LIBTHETA := $(BUILD)/libtheta.a
CHECKBIN := $(BUILD)/check_theta

.PHONY: all test demo bench install clean deps
all: $(THETA) $(LIBTHETA)
	@ln -sf $(THETA) theta 2>/dev/null || true

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -MMD -MP -c $< -o $@

# the runner's list of suites, regenerated when the set of suites changes
$(BUILD)/tests/suites.h: FORCE
	@mkdir -p $(dir $@)
	@{ for s in $(SUITES); do echo "Suite *$${s}_suite(void);"; done; \
	   echo "#define THETA_SUITES \\"; \
	   for s in $(SUITES); do echo "    $${s}_suite, \\"; done; echo; } > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@
$(BUILD)/tests/check_main.o: $(BUILD)/tests/suites.h
# every suite includes suites.h too: it must exist before any of them compiles
$(TEST_OBJ): | $(BUILD)/tests/suites.h
.PHONY: FORCE
FORCE:

$(LIBTHETA): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(THETA): $(CLI_OBJ) $(LIBTHETA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBTHETA) $(LDLIBS)

$(CHECKBIN): $(TEST_OBJ) $(LIBTHETA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIBTHETA) $(CHECK_LIBS) $(LDLIBS)

deps:
	@bash scripts/install-deps.sh

# The unit and end-to-end suites. THETA_BIN tells the CLI tests which binary to run.
test: deps
	@$(MAKE) --no-print-directory $(THETA) $(CHECKBIN)
	THETA_BIN=$(abspath $(THETA)) $(CHECKBIN)

demo: deps
	@$(MAKE) --no-print-directory $(THETA)
	@bash scripts/demo.sh $(THETA)

bench: deps
	@$(MAKE) --no-print-directory $(THETA)
	@bash scripts/bench.sh $(CORPUS)

install: $(THETA) $(LIBTHETA)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(THETA) $(DESTDIR)$(PREFIX)/bin/theta
	install -m 644 $(LIBTHETA) $(DESTDIR)$(PREFIX)/lib/libtheta.a
	install -m 644 include/theta.h $(DESTDIR)$(PREFIX)/include/theta.h

clean:
	rm -rf build build-asan build-tsan build-mpi theta

-include $(DEPS)
