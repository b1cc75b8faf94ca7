# twinnet: make (build), make test, make demo, make data, make sanitize, make bench, make repro.
# BUILD, CC, OPT and MARCH select a build, so several can live side by side (make repro).
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
MARCH   ?=
SAN     ?=
# The library's sources, by job: base (errors, randomness, maths, hashing, reading and writing
# files, threads), io (data sets, models, traces, images), nn (the network, its kernels,
# training and evaluation), study (traces compared, alignment, compare, sweeps), report.
SRC_DIRS = src/base src/io src/nn src/study src/report
SRC_INC  = -Iinclude $(addprefix -I,$(SRC_DIRS))
vpath %.c $(SRC_DIRS)
# The flags every compilation shares (the library, the command line, tests, WebAssembly, fuzz
# targets, the fault driver): scripts take them from here (make -s flags), never retype them.
C_STD   = -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpedantic
FP      = -ffp-contract=off -fno-math-errno
# WITHOUT="ZLIB LIBPNG LIBJPEG PTHREADS" (any of them) builds without those libraries: -DTN_NO_*,
# and they leave LDLIBS (what needs them then says that this build lacks them).
WITHOUT ?=
DEFS    = $(addprefix -DTN_NO_,$(WITHOUT))
CFLAGS_BASE = $(C_STD) $(WARN) $(FP) -g $(DEFS) $(SRC_INC) $(OPT) $(MARCH) $(SAN)
LIB_LIBPNG = -lpng
LIB_LIBJPEG = -ljpeg
LIB_ZLIB = -lz
LIB_PTHREADS = -lpthread
LDLIBS  = $(foreach l,LIBPNG LIBJPEG ZLIB,$(if $(filter $l,$(WITHOUT)),,$(LIB_$l))) -lm \
          $(if $(filter PTHREADS,$(WITHOUT)),,$(LIB_PTHREADS))
# LDFLAGS: for the programs' links only (make repro's cross builds: -static).
LDFLAGS ?=
# make sanitize's instrumentation (also fuzz/run.sh's and tests/faults.sh's).
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
MACHINE := $(shell $(CC) -dumpmachine)
# Float arithmetic must be IEEE single and double, each operation rounded to its own type
# (FLT_EVAL_METHOD 0; src/base/util.h refuses to build otherwise). Two targets need a flag for that:
# 32-bit x86, where the x87 unit computes in 80-bit extended precision (SSE2 arithmetic instead),
# and gcc on s390x, which in -std=c11 mode evaluates float expressions in double.
TARGET_FP := $(shell echo __i386__ __FLT_EVAL_METHOD__ | $(CC) -std=c11 -E -P - 2>/dev/null)
ifeq (1,$(firstword $(TARGET_FP)))
CFLAGS_BASE += -msse2 -mfpmath=sse
else ifeq (1,$(lastword $(TARGET_FP)))
CFLAGS_BASE += -fexcess-precision=fast
endif

# Every src/*/*.c is part of the library (kernels.c once per instruction set, below); every
# cli/*.c but those of MPI=1 (below) is part of the command line. Objects are named after their source alone.
SRCS = $(filter-out src/nn/kernels.c,$(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
CLI_SRCS = $(filter-out $(CLI_MPI_SRCS),$(wildcard cli/*.c))
OBJS = $(addprefix $(BUILD)/,$(notdir $(SRCS:.c=.o))) $(BUILD)/kernels_generic.o
ifneq (,$(findstring x86_64,$(MACHINE))$(filter 1,$(firstword $(TARGET_FP))))
OBJS += $(BUILD)/kernels_avx2.o $(BUILD)/kernels_avx512.o
endif
HDRS = include/twinnet.h $(wildcard $(addsuffix /*.h,$(SRC_DIRS)))

TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

all: $(BUILD)/twinnet $(BUILD)/libtwinnet.a

# The library's objects: only what twinnet.h marks TN_API is visible outside libtwinnet.so.
CFLAGS_LIB = $(CFLAGS_BASE) -fvisibility=hidden
$(BUILD)/%.o: %.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_LIB) -c $< -o $@
$(BUILD)/kernels_generic.o: src/nn/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_LIB) -DTN_KERNEL_NAME=generic -c $< -o $@
$(BUILD)/kernels_avx2.o: src/nn/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_LIB) -mavx2 -mfma -DTN_KERNEL_NAME=avx2 -c $< -o $@
$(BUILD)/kernels_avx512.o: src/nn/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_LIB) -mavx512f -mfma -DTN_KERNEL_NAME=avx512 -c $< -o $@
$(BUILD)/libtwinnet.a: $(OBJS)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/twinnet: $(CLI_SRCS) $(wildcard cli/*.h) $(BUILD)/libtwinnet.a include/twinnet.h
	$(CC) $(CFLAGS_BASE) $(LDFLAGS) -Icli $(CLI_SRCS) $(BUILD)/libtwinnet.a $(LDLIBS) -o $@
$(BUILD)/tests/%: tests/%.c tests/check.h $(BUILD)/libtwinnet.a | $(BUILD)/tests
	$(CC) $(CFLAGS_BASE) -Itests $< $(BUILD)/libtwinnet.a $(LDLIBS) -o $@
# The build directory is made once the compiler and the libraries' development files are there
# (scripts/check-deps.sh: one line naming what to apt-get install, before anything compiles).
$(BUILD):
	@CC="$(CC)" CFLAGS="$(C_STD) $(DEFS) $(MARCH)" WITHOUT="$(WITHOUT)" sh scripts/check-deps.sh
	mkdir -p $@
$(BUILD)/tests: | $(BUILD)
	mkdir -p $@

# As root on Debian: what the build and make demo need (the tests' peers: .ci/run).
DEB_BUILD_DEPS = build-essential zlib1g-dev libpng-dev libjpeg-dev
deps:
	@[ "$$(id -u)" = 0 ] || { echo "make deps: run it as root, or: sudo apt-get install $(DEB_BUILD_DEPS)" >&2; exit 1; }
	apt-get update -qq && apt-get install -y -qq $(DEB_BUILD_DEPS)

tests: $(TESTS)

# ---- MPI=1: twinnet whose sweep runs under mpirun (cli/sweep_mpi.c), as $(BUILD)/mpi/twinnet ---
# Only the command line is compiled with mpicc (Open MPI: Debian's libopenmpi-dev, openmpi-bin),
# with -DTN_MPI and the files of CLI_MPI_SRCS, which no other build compiles; it links the ordinary
# library, which like the default build has no MPI in it. make test builds it when there is an
# mpicc for the machine CC builds for, for tests/t_sweep_mpi.sh.
MPICC ?= mpicc
CLI_MPI_SRCS = cli/sweep_mpi.c
$(BUILD)/mpi/twinnet: $(CLI_SRCS) $(CLI_MPI_SRCS) $(wildcard cli/*.h) $(BUILD)/libtwinnet.a include/twinnet.h
	mkdir -p $(@D)
	$(MPICC) $(CFLAGS_BASE) -DTN_MPI -Icli $(CLI_SRCS) $(CLI_MPI_SRCS) $(BUILD)/libtwinnet.a $(LDLIBS) -o $@
ifeq ($(MPI),1)
all: $(BUILD)/mpi/twinnet
endif
ifeq ($(MACHINE),$(shell $(MPICC) -dumpmachine 2> /dev/null))
tests: $(BUILD)/mpi/twinnet
endif
# ---- end of MPI=1 ------------------------------------------------------------------------------

# ---- make web: the library as WebAssembly, and the page build/web/twinnet.html ----------------
# clang's wasm32-wasi target with Debian's wasi-libc (headers in /usr/include/wasm32-wasi,
# libraries in /usr/lib/wasm32-wasi), libclang-rt-14-dev-wasm32 and lld. WASI has no threads,
# signals or processes, and the page needs no zlib, libpng or libjpeg (it hands over a
# canvas's pixels): the TN_NO_* switches leave them out, and what needs them says so.
#   $(BUILD)/wasm/twinnet.wasm      the page's module (web/api.c: a reactor, no main)
#   $(BUILD)/wasm/twinnet-cli.wasm  the command line as a WASI command (node web/wasi-run.mjs)
#   $(BUILD)/web/twinnet.html       the page: module, two models, B's alignment and script in one file
WASM_CC     ?= clang
WASM_OPT    ?= -O2
WASI_INCLUDE ?= /usr/include/wasm32-wasi
WASI_LIB    ?= /usr/lib/wasm32-wasi
WASM_SYSROOT = $(BUILD)/wasm/sysroot
WASM_CFLAGS = --target=wasm32-wasi --sysroot=$(WASM_SYSROOT) $(C_STD) $(WARN) $(FP) $(SRC_INC) $(WASM_OPT) \
              $(addprefix -DTN_NO_,PTHREADS ZLIB LIBPNG LIBJPEG)
WASM_OBJS = $(addprefix $(BUILD)/wasm/,$(notdir $(SRCS:.c=.o))) $(BUILD)/wasm/kernels_generic.o
WEB_MODELS = $(BUILD)/web/model-a.tnm $(BUILD)/web/model-b.tnm

$(WASM_SYSROOT)/ok:
	@test -f $(WASI_LIB)/libc.a || { echo "make web: no wasi-libc in $(WASI_LIB) (apt-get install wasi-libc libclang-rt-14-dev-wasm32 lld)" >&2; exit 1; }
	mkdir -p $(WASM_SYSROOT)/include $(WASM_SYSROOT)/lib
	ln -sfn $(WASI_INCLUDE) $(WASM_SYSROOT)/include/wasm32-wasi
	ln -sfn $(WASI_LIB) $(WASM_SYSROOT)/lib/wasm32-wasi
	touch $@
$(BUILD)/wasm/%.o: %.c $(HDRS) $(WASM_SYSROOT)/ok
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@
$(BUILD)/wasm/kernels_generic.o: src/nn/kernels.c $(HDRS) $(WASM_SYSROOT)/ok
	$(WASM_CC) $(WASM_CFLAGS) -DTN_KERNEL_NAME=generic -c $< -o $@
$(BUILD)/wasm/twinnet.wasm: web/api.c $(WASM_OBJS)
	$(WASM_CC) $(WASM_CFLAGS) -mexec-model=reactor web/api.c $(WASM_OBJS) -lm -Wl,--strip-all -o $@
$(BUILD)/wasm/twinnet-cli.wasm: $(CLI_SRCS) $(wildcard cli/*.h) $(WASM_OBJS)
	$(WASM_CC) $(WASM_CFLAGS) -Icli $(CLI_SRCS) $(WASM_OBJS) -lm -Wl,--strip-all -o $@

# The page's two networks: Nielsen's default, seeds 1 and 2 (MNIST, 30 epochs).
$(BUILD)/web/model-a.tnm: $(BUILD)/twinnet | data
	mkdir -p $(@D) && $(BUILD)/twinnet train --seed 1 --quiet --out $@
$(BUILD)/web/model-b.tnm: $(BUILD)/twinnet | data
	mkdir -p $(@D) && $(BUILD)/twinnet train --seed 2 --quiet --out $@
# The page's one alignment (activation matching with sign flips, on the MNIST test set).
$(BUILD)/web/alignment.json: $(WEB_MODELS) | data
	$(BUILD)/twinnet align $(WEB_MODELS) --method activation --json --force --out $(BUILD)/web/model-b-aligned.tnm > $@.part && mv $@.part $@
$(BUILD)/web/twinnet.html: scripts/web-page.sh web/page.html web/page.css web/page.js web/twinnet.js \
                           $(BUILD)/wasm/twinnet.wasm $(WEB_MODELS) $(BUILD)/web/alignment.json
	sh scripts/web-page.sh $(BUILD)/wasm/twinnet.wasm $(WEB_MODELS) $(BUILD)/web/alignment.json > $@.part && mv $@.part $@
web: $(BUILD)/web/twinnet.html $(BUILD)/wasm/twinnet-cli.wasm
	@echo "The page: $(abspath $(BUILD)/web/twinnet.html) (open it in a browser; it needs no server)"

# MNIST into ${XDG_CACHE_HOME:-~/.cache}/twinnet/mnist, SHA-256 checked.
data:
	sh scripts/fetch-mnist.sh

# make test T=t_sweep (or T="t_sweep test_lap"): only those tests, through the same runner.
test: all tests data $(BUILD)/$(SHLIB)
	BUILD=$(BUILD) sh tests/run.sh $(T)

# ASan + UBSan build of everything, then the same tests (slow ones trimmed by TWINNET_SANITIZE).
sanitize:
	$(MAKE) BUILD=build/san SAN="$(SANITIZE)" OPT=-O1 all tests
	BUILD=build/san TWINNET_SANITIZE=1 sh tests/run.sh

demo: all data
	sh scripts/demo.sh

# Side-by-side speed against PyTorch, numpy and FANN (not a test: CI times nothing).
bench: all tests data
	sh bench/run.sh

# Fuzzing of every parser (libFuzzer, clang, ASan + UBSan); FUZZ_SECONDS per target.
fuzz:
	sh fuzz/run.sh

# One fingerprint across compilers, flags, thread counts, SIMD paths and six architectures
# (i686 natively; aarch64, riscv64, ppc64le, s390x under qemu-user).
repro:
	sh scripts/repro.sh

# The flags above as shell assignments, for the scripts that compile outside these rules:
#   eval "$$(make -s flags CC=clang OPT=-O1)"   sets CC, CFLAGS, LDLIBS and SANITIZE
flags:
	@echo "CC='$(CC)'"; echo "CFLAGS='$(CFLAGS_BASE)'"; echo "LDLIBS='$(LDLIBS)'"; echo "SANITIZE='$(SANITIZE)'"

# Integration tests under valgrind memcheck; injected faults (allocation, full disk, kill).
valgrind: all tests
	BUILD=$(BUILD) sh tests/valgrind.sh
faults:
	sh tests/faults.sh

# ---- install: the CLI, libtwinnet.a, libtwinnet.so, twinnet.h, twinnet.pc, twinnet.1 ----------
# make install PREFIX=/usr/local DESTDIR=  (DESTDIR stages the tree; the .pc names PREFIX).
# The shared library's objects are the static rules run again with BUILD=$(BUILD)/pic and
# PIC=-fPIC, so they get the very same flags, ISA flags of each kernel included.
PREFIX  ?= /usr/local
DESTDIR ?=
PIC     ?=
CFLAGS_BASE += $(PIC)
# The soname carries TN_ABI_VERSION (twinnet.h), bumped whenever a public struct or signature
# changes (README, "Library interface and ABI"); the file adds the library's version.
TN_VERSION := $(shell sed -n 's/.*TN_VERSION_STRING "\(.*\)".*/\1/p' include/twinnet.h)
TN_ABI  := $(shell sed -n 's/.*define TN_ABI_VERSION \([0-9]*\).*/\1/p' include/twinnet.h)
SONAME  = libtwinnet.so.$(TN_ABI)
SHLIB   = $(SONAME).$(TN_VERSION)
DEST    = $(DESTDIR)$(PREFIX)

$(BUILD)/pic/libtwinnet.a: FORCE
	$(MAKE) --no-print-directory BUILD=$(BUILD)/pic PIC=-fPIC $@
shared: $(BUILD)/$(SHLIB)
$(BUILD)/$(SHLIB): $(BUILD)/pic/libtwinnet.a
	$(CC) $(SAN) -shared -Wl,-soname,$(SONAME) $(OBJS:$(BUILD)/%=$(BUILD)/pic/%) $(LDLIBS) -o $@
	ln -sf $(SHLIB) $(BUILD)/$(SONAME) && ln -sf $(SONAME) $(BUILD)/libtwinnet.so
# Always remade: it holds PREFIX, which make cannot see change.
$(BUILD)/twinnet.pc: twinnet.pc.in FORCE | $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(TN_VERSION)|' twinnet.pc.in > $@
$(BUILD)/twinnet.1: scripts/manpage.sh $(BUILD)/twinnet
	sh scripts/manpage.sh $(BUILD)/twinnet > $@.part && mv $@.part $@

# The Python package (python/twinnet, pure Python over the .so through ctypes) goes where Debian's
# python3 looks for PREFIX's packages: PREFIX/lib/python3.X/dist-packages.
PYTHON  ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYDIR   ?= $(PREFIX)/lib/$(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])' 2>/dev/null || echo python3)/dist-packages
PY_SRCS  = $(wildcard python/twinnet/*.py)

install: all $(BUILD)/$(SHLIB) $(BUILD)/twinnet.pc $(BUILD)/twinnet.1
	install -d $(DEST)/bin $(DEST)/lib/pkgconfig $(DEST)/include $(DEST)/share/man/man1 $(DESTDIR)$(PYDIR)/twinnet
	install -m 0644 $(PY_SRCS) $(DESTDIR)$(PYDIR)/twinnet/
	install -m 0755 $(BUILD)/twinnet $(DEST)/bin/twinnet
	install -m 0644 $(BUILD)/libtwinnet.a $(BUILD)/$(SHLIB) $(DEST)/lib/
	ln -sf $(SHLIB) $(DEST)/lib/$(SONAME) && ln -sf $(SONAME) $(DEST)/lib/libtwinnet.so
	install -m 0644 include/twinnet.h $(DEST)/include/twinnet.h
	install -m 0644 $(BUILD)/twinnet.pc $(DEST)/lib/pkgconfig/twinnet.pc
	install -m 0644 $(BUILD)/twinnet.1 $(DEST)/share/man/man1/twinnet.1
uninstall:
	rm -f $(DEST)/bin/twinnet $(DEST)/lib/libtwinnet.a $(DEST)/lib/$(SHLIB) $(DEST)/lib/$(SONAME) \
	      $(DEST)/lib/libtwinnet.so $(DEST)/include/twinnet.h $(DEST)/lib/pkgconfig/twinnet.pc \
	      $(DEST)/share/man/man1/twinnet.1 $(addprefix $(DESTDIR)$(PYDIR)/twinnet/,$(notdir $(PY_SRCS)))
	rm -rf $(DESTDIR)$(PYDIR)/twinnet/__pycache__
	-rmdir $(DESTDIR)$(PYDIR)/twinnet 2>/dev/null
FORCE:

clean:
	rm -rf build

.PHONY: all tests data test sanitize demo bench fuzz repro valgrind faults clean install uninstall web shared flags deps
