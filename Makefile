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
# MPI: src/mpi.c and the THETA_MPI parts of the CLI, compiled by mpicc (Open
# MPI or MPICH); without MPI=1 nothing of MPI is compiled or linked.
MPICC ?= mpicc
ifeq ($(MPI),1)
  CC := $(MPICC)
  BUILD := build-mpi$(if $(filter mpicc,$(MPICC)),,-$(notdir $(MPICC)))
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

.PHONY: all test demo bench install clean deps fuzz fuzz-build valgrind
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
	$(TEST_ENV) THETA_BIN=$(abspath $(THETA)) $(CHECKBIN)

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
