# twinnet: make (build), make test, make demo, make data, make sanitize, make bench, make repro.
# BUILD, CC, OPT and MARCH select a build, so several can live side by side (make repro).
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
MARCH   ?=
SAN     ?=
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wpedantic -ffp-contract=off -fno-math-errno -g \
              -Iinclude -Isrc $(OPT) $(MARCH) $(SAN)
LDLIBS  = -lpng -lz -lm -lpthread
MACHINE := $(shell $(CC) -dumpmachine)

# Every src/*.c is part of the library (kernels.c once per instruction set, below); every cli/*.c
# is part of the command line.
SRCS = $(filter-out src/kernels.c,$(wildcard src/*.c))
CLI_SRCS = $(wildcard cli/*.c)
OBJS = $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/kernels_generic.o
ifneq (,$(findstring x86_64,$(MACHINE)))
OBJS += $(BUILD)/kernels_avx2.o $(BUILD)/kernels_avx512.o
endif
HDRS = include/twinnet.h $(wildcard src/*.h)

TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

all: $(BUILD)/twinnet $(BUILD)/libtwinnet.a

$(BUILD)/%.o: src/%.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) -c $< -o $@
$(BUILD)/kernels_generic.o: src/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) -DTN_KERNEL_NAME=generic -c $< -o $@
$(BUILD)/kernels_avx2.o: src/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) -mavx2 -mfma -DTN_KERNEL_NAME=avx2 -c $< -o $@
$(BUILD)/kernels_avx512.o: src/kernels.c $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) -mavx512f -mfma -DTN_KERNEL_NAME=avx512 -c $< -o $@
$(BUILD)/libtwinnet.a: $(OBJS)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/twinnet: $(CLI_SRCS) $(wildcard cli/*.h) $(BUILD)/libtwinnet.a include/twinnet.h
	$(CC) $(CFLAGS_BASE) -Icli $(CLI_SRCS) $(BUILD)/libtwinnet.a $(LDLIBS) -o $@
$(BUILD)/tests/%: tests/%.c tests/check.h $(BUILD)/libtwinnet.a | $(BUILD)/tests
	$(CC) $(CFLAGS_BASE) -Itests $< $(BUILD)/libtwinnet.a $(LDLIBS) -o $@
$(BUILD) $(BUILD)/tests:
	mkdir -p $@

tests: $(TESTS)

# MNIST into ${XDG_CACHE_HOME:-~/.cache}/twinnet/mnist, SHA-256 checked.
data:
	sh scripts/fetch-mnist.sh

test: all tests data
	BUILD=$(BUILD) sh tests/run.sh

# ASan + UBSan build of everything, then the same tests (slow ones trimmed by TWINNET_SANITIZE).
sanitize:
	$(MAKE) BUILD=build/san SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" OPT=-O1 all tests
	BUILD=build/san TWINNET_SANITIZE=1 sh tests/run.sh

demo: all data
	sh scripts/demo.sh

# Side-by-side speed against PyTorch, numpy and FANN (not a test: CI times nothing).
bench: all data
	sh bench/run.sh

# Fuzzing of every parser (libFuzzer, clang, ASan + UBSan); FUZZ_SECONDS per target.
fuzz:
	sh fuzz/run.sh

# One fingerprint across compilers, flags, thread counts and an aarch64 build under qemu.
repro:
	sh scripts/repro.sh

# Integration tests under valgrind memcheck; injected faults (allocation, full disk, kill).
valgrind: all tests
	BUILD=$(BUILD) sh tests/valgrind.sh
faults:
	sh tests/faults.sh

clean:
	rm -rf build

.PHONY: all tests data test sanitize demo bench fuzz repro valgrind faults clean
