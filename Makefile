# theta — plain Makefile. Knobs (override on the command line):
#   OPT=-O3          optimisation flags
#   SANITIZE=1       AddressSanitizer + UBSan build in build-asan/
#   SANITIZE=thread  ThreadSanitizer build in build-tsan/ (hogwild races in
#                    the kernels suppressed by tests/tsan.supp)
#   FUZZ_SECONDS=30  make fuzz: seconds per libFuzzer target (clang, build-fuzz/)
#   WERROR=1         treat warnings as errors (CI)
#   MPI=1            data-parallel training over MPI: mpicc, build in build-mpi/
#   MPICC=mpicc      the MPI compiler wrapper for MPI=1; another one builds in
#                    its own folder, e.g. MPICC=mpicc.mpich in build-mpi-mpicc.mpich/
#   PREFIX=/usr/local  install prefix
CC      ?= cc
OPT     ?= -O3
PREFIX  ?= /usr/local
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

BUILD := build
# Sanitizer runs use CK_FORK=no: Check's forked children hide leaks from
# LeakSanitizer (they exit before it looks).
TEST_ENV :=
ifeq ($(SANITIZE),1)
  BUILD := build-asan
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  OPT := -O1 -g
  TEST_ENV := CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else ifeq ($(SANITIZE),thread)
  BUILD := build-tsan
  SANFLAGS := -fsanitize=thread
  OPT := -O1 -g
  TEST_ENV := CK_FORK=no \
              TSAN_OPTIONS="suppressions=$(abspath tests/tsan.supp) history_size=7 halt_on_error=1 report_signal_unsafe=0"
endif
# MPI: src/mpi.c, compiled by mpicc (Open MPI or MPICH); without MPI=1,
# src/mpi_none.c (the same interface for one process) takes its place and
# nothing of MPI is compiled or linked.
MPICC ?= mpicc
ifeq ($(MPI),1)
  CC := $(MPICC)
  BUILD := build-mpi$(if $(filter mpicc,$(MPICC)),,-$(notdir $(MPICC)))
  MPIFLAGS := -DTHETA_MPI
  NO_MPI_SRC := src/mpi_none.c
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
# tests/unit/check_<name>.c: library suites (libtheta alone); tests/cli/:
# suites that run the theta binary. Each defines Suite *<name>_suite(void).
UNIT_SRC   := $(sort $(wildcard tests/unit/check_*.c))
CLIT_SRC   := $(sort $(wildcard tests/cli/check_*.c))
ifneq ($(wildcard tests/check_*.c),)
  $(error $(wildcard tests/check_*.c): a suite goes in tests/unit/ (library only) or tests/cli/ (runs the binary))
endif
UNIT_SUITES := $(patsubst tests/unit/check_%.c,%,$(UNIT_SRC))
CLI_SUITES  := $(patsubst tests/cli/check_%.c,%,$(CLIT_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TU_OBJ   := $(BUILD)/tests/testutil.o
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/runner.o
CLIT_OBJ := $(CLIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/cli/runner.o
TEST_OBJ := $(UNIT_OBJ) $(CLIT_OBJ) $(TU_OBJ)
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

THETA    := $(BUILD)/theta
LIBTHETA := $(BUILD)/libtheta.a
CHECK_UNIT := $(BUILD)/check_unit
CHECK_CLI  := $(BUILD)/check_cli

.PHONY: all test demo bench install clean deps fuzz fuzz-build valgrind
all: $(THETA) $(LIBTHETA)
	@ln -sf $(THETA) theta 2>/dev/null || true

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# a suite finds its runner's suites.h (for its own prototype) in
# $(BUILD)/tests/<kind>/, testutil.h in tests/
$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -I$(dir $@) -MMD -MP -c $< -o $@

# tests/runner.c, once per kind, with that kind's suites.h
$(BUILD)/tests/%/runner.o: tests/runner.c $(BUILD)/tests/%/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I$(dir $@) -DTU_RUNNER='"check_$*"' -MMD -MP -c $< -o $@

# a runner's list of suites (prototypes, functions, names), regenerated when
# the set of suites changes
define suites_h
	@mkdir -p $(dir $@)
	@{ for s in $(1); do echo "Suite *$${s}_suite(void);"; done; \
	   echo "#define THETA_SUITES \\"; \
	   for s in $(1); do echo "    $${s}_suite, \\"; done; echo; \
	   echo "#define THETA_SUITE_NAMES \\"; \
	   for s in $(1); do echo "    \"$${s}\", \\"; done; echo; } > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@
endef
$(BUILD)/tests/unit/suites.h: FORCE
	$(call suites_h,$(UNIT_SUITES))
$(BUILD)/tests/cli/suites.h: FORCE
	$(call suites_h,$(CLI_SUITES))
# every suite includes suites.h too: it must exist before any of them compiles
$(UNIT_OBJ): | $(BUILD)/tests/unit/suites.h
$(CLIT_OBJ): | $(BUILD)/tests/cli/suites.h
.PHONY: FORCE
FORCE:

$(LIBTHETA): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(THETA): $(CLI_OBJ) $(LIBTHETA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBTHETA) $(LDLIBS)

$(CHECK_UNIT): $(UNIT_OBJ) $(TU_OBJ) $(LIBTHETA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(TU_OBJ) $(LIBTHETA) $(CHECK_LIBS) $(LDLIBS)

$(CHECK_CLI): $(CLIT_OBJ) $(TU_OBJ) $(LIBTHETA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIT_OBJ) $(TU_OBJ) $(LIBTHETA) $(CHECK_LIBS) $(LDLIBS)

deps:
	@bash scripts/install-deps.sh

# The unit suites, then the suites that run the binary (THETA_BIN names it);
# both run, and the target fails if either failed. CK_RUN_SUITE=<name> runs
# one suite, in whichever runner has it.
test: deps
	@$(MAKE) --no-print-directory $(THETA) $(CHECK_UNIT) $(CHECK_CLI)
	$(TEST_ENV) THETA_BIN=$(abspath $(THETA)) bash tests/run-suites.sh $(CHECK_UNIT) $(CHECK_CLI)

# One training run under valgrind (memcheck): no errors, no definite leaks.
valgrind:
	@bash scripts/install-deps.sh --valgrind
	@$(MAKE) --no-print-directory $(THETA)
	@bash scripts/valgrind-train.sh $(THETA)

# ---- libFuzzer targets (clang): tests/fuzz/fuzz_<name>.c against the
# library sources, with AddressSanitizer and UBSan, in build-fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD   := build-fuzz
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer $(WARN) \
                -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isrc
# the training driver and kernels are not fuzzed (and use GCC target pragmas)
FUZZ_LIB_SRC := $(filter-out src/kernel.c src/train.c,$(LIB_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libtheta.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libtheta.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -lz -lm

.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)
fuzz-build: $(FUZZ_BINS)

# Builds every target and runs each for FUZZ_SECONDS from its seed corpus;
# fails on the first crash, leak, timeout or oversized allocation.
fuzz:
	@bash scripts/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

demo: deps
	@$(MAKE) --no-print-directory $(THETA)
	@bash scripts/demo.sh $(THETA)

# theta vs fastText vs gensim; without CORPUS=FILE on the scripts/bench-corpus.sh
# corpus, built once in ${XDG_CACHE_HOME:-~/.cache}/theta/bench
bench: deps
	@$(MAKE) --no-print-directory $(THETA)
	@bash scripts/bench.sh $(CORPUS)

install: $(THETA) $(LIBTHETA)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(THETA) $(DESTDIR)$(PREFIX)/bin/theta
	install -m 644 $(LIBTHETA) $(DESTDIR)$(PREFIX)/lib/libtheta.a
	install -m 644 include/theta.h $(DESTDIR)$(PREFIX)/include/theta.h

clean:
	rm -rf build build-asan build-tsan build-fuzz build-mpi build-mpi-* theta

-include $(DEPS) $(wildcard $(FUZZ_BUILD)/src/*.d $(FUZZ_BUILD)/tests/fuzz/*.d)
