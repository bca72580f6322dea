# SPDX-License-Identifier: GPL-2.0
# lw4o6 — one Makefile, every generated file under build/.
#   make            build the BPF objects, the lw4o6 CLI and the test programs
#   make test       every test layer (installs the Debian packages it needs)
#   make demo       the lab in network namespaces
#   make conformance / make bench / make unit / make selftest / make netns

SHARED   ?= $(abspath ../shared)
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
PKG_CONFIG ?= pkg-config
V        ?= 0
B        := build
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Wno-compare-distinct-pointer-types -Iinclude -Ibpf \
	-idirafter /usr/include/$(MULTIARCH)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Iloader/lib -Ipcpd/lib -Iselftests/lib -I$(B) \
	-DLW4O6_SHARED_DIR='"$(SHARED)"'
LDLIBS   := $(shell $(PKG_CONFIG) --libs libxdp libbpf json-c 2>/dev/null || echo -lxdp -lbpf -ljson-c) -lsqlite3 -lelf -lz -lm

HDRS      := $(wildcard include/lw4o6/*.h)
BPF_HDRS  := $(wildcard bpf/*.h) $(HDRS)
LIB_SRCS  := $(wildcard loader/lib/*.c)
LIB_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
LIB_HDRS  := $(wildcard loader/lib/*.h)
CLI_SRCS  := $(wildcard loader/*.c)
CLI_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(CLI_SRCS))
TLIB_SRCS := $(wildcard selftests/lib/*.c)
TLIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(TLIB_SRCS))
TLIB_HDRS := $(wildcard selftests/lib/*.h)
UNIT_SRCS := $(wildcard tests/test_*.c)
UNIT_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(UNIT_SRCS))
PROG_SRCS := $(wildcard selftests/prog/*.c)
PROG_B4_SRCS := $(wildcard selftests/prog_b4/*.c)
CONF_SRCS := $(wildcard selftests/conformance/*.c)
TOOL_SRCS := $(wildcard selftests/netns/*.c)
TOOL_BINS := $(patsubst selftests/netns/%.c,$(B)/selftests/%,$(TOOL_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
PCPD_LIB_SRCS := $(wildcard pcpd/lib/*.c)
PCPD_LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(PCPD_LIB_SRCS))
PCPD_LIB_HDRS := $(wildcard pcpd/lib/*.h)
PCPD_SRCS := $(wildcard pcpd/*.c)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))

BPF_OBJS := $(B)/bpf/lw4o6_aftr.bpf.o $(B)/bpf/lw4o6_aftr_test.bpf.o $(B)/bpf/lw4o6_pass.bpf.o
ifneq ($(wildcard bpf/lw4o6_b4.bpf.c),)
BPF_OBJS += $(B)/bpf/lw4o6_b4.bpf.o $(B)/bpf/lw4o6_b4_test.bpf.o
endif
SKELS    := $(B)/lw4o6_aftr.skel.h
ifneq ($(wildcard bpf/lw4o6_b4.bpf.c),)
SKELS    += $(B)/lw4o6_b4.skel.h
endif

# libpcpd.a (pcpd/lib) is linked everywhere liblw4o6.a is: the slow path and
# the PCP codec are libraries that tests and the conformance runner call.
LIBS := $(B)/libpcpd.a $(B)/liblw4o6.a
TARGETS := $(BPF_OBJS) $(B)/lw4o6 $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_BINS)
ifneq ($(PCPD_SRCS),)
TARGETS += $(B)/pcpd
endif
ifneq ($(PROG_SRCS),)
TARGETS += $(B)/selftests/prog_runner
endif
ifneq ($(PROG_B4_SRCS),)
TARGETS += $(B)/selftests/prog_b4_runner
endif
ifneq ($(CONF_SRCS),)
TARGETS += $(B)/selftests/conformance
endif
ifneq ($(BENCH_SRCS),)
TARGETS += $(B)/bench/lw4o6_bench
endif

.PHONY: all deps test unit selftest prog prog-b4 conformance netns fuzz bench demo clean install
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TARGETS)

deps:
	$(Q)./scripts/deps.sh

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The test variant poisons new headroom (LW4O6_TEST) so that a field the program
# forgets to write shows up as 0xff instead of the zeroes BPF_PROG_TEST_RUN gives.
$(B)/bpf/lw4o6_aftr_test.bpf.o: bpf/lw4o6_aftr.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLW4O6_TEST -c $< -o $@

$(B)/bpf/lw4o6_b4_test.bpf.o: bpf/lw4o6_b4.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLW4O6_TEST -c $< -o $@

$(B)/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@ 2>/dev/null

# the CLI embeds the production object through its skeleton
$(CLI_OBJS): $(SKELS)

$(B)/obj/%.o: %.c $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/liblw4o6.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libpcpd.a: $(PCPD_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $(PCPD_LIB_OBJS)

$(B)/pcpd: $(PCPD_SRCS) $(LIBS) $(HDRS) $(LIB_HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PCPD_SRCS) $(LIBS) -o $@ $(LDLIBS)

# libFuzzer targets: clang with -fsanitize=fuzzer,address,undefined over the
# library sources they exercise (listed in the target's first line).
$(B)/fuzz/%: fuzz/%.c $(PCPD_LIB_SRCS) $(LIB_SRCS) $(HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iloader/lib -Ipcpd/lib \
		$< $(shell sed -n '1s|^// fuzz-sources: ||p' $<) -o $@ $(LDLIBS)

$(B)/libtest.a: $(TLIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/lw4o6: $(CLI_OBJS) $(LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(CLI_OBJS) $(LIBS) -o $@ $(LDLIBS)

$(B)/tests/%: tests/%.c $(LIBS) $(B)/libtest.a $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS) $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS) -lcmocka

$(B)/selftests/prog_runner: $(PROG_SRCS) $(LIBS) $(B)/libtest.a $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PROG_SRCS) $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS)

$(B)/selftests/prog_b4_runner: $(PROG_B4_SRCS) $(LIBS) $(B)/libtest.a $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS) $(wildcard selftests/prog_b4/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PROG_B4_SRCS) $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS)

$(B)/selftests/conformance: $(CONF_SRCS) $(LIBS) $(B)/libtest.a $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(CONF_SRCS) $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS)

$(B)/selftests/%: selftests/netns/%.c $(B)/libtest.a $(LIBS) $(HDRS) $(TLIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS)

$(B)/bench/lw4o6_bench: $(BENCH_SRCS) $(LIBS) $(B)/libtest.a $(HDRS) $(LIB_HDRS) $(TLIB_HDRS) $(PCPD_LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(BENCH_SRCS) $(B)/libtest.a $(LIBS) -o $@ $(LDLIBS)

# ---- test layers --------------------------------------------------------------
# Each layer prints its own closing line; scripts/summarize.sh adds them up into
# the one closing line of `make test`.

unit: deps all
	$(Q)./scripts/run-unit.sh $(UNIT_BINS)

prog: deps all
	$(Q)$(B)/selftests/prog_runner --obj $(B)/bpf/lw4o6_aftr_test.bpf.o

# the lwB4's BPF_PROG_TEST_RUN table (its own layer until the lwB4 is done)
prog-b4: deps all
	$(Q)if [ -x $(B)/selftests/prog_b4_runner ]; then \
		$(B)/selftests/prog_b4_runner --obj $(B)/bpf/lw4o6_b4_test.bpf.o; \
	else echo "SKIP prog-b4: no lwB4 program in this tree"; echo "prog-b4: 0 passed, 0 failed, 1 skipped"; fi

conformance: deps all
	$(Q)$(B)/selftests/conformance --shared $(SHARED) --obj $(B)/bpf/lw4o6_aftr_test.bpf.o

netns: deps all
	$(Q)./selftests/netns/run.sh

# Each fuzz target runs for a bounded time (FUZZ_SECONDS) from its seed corpus.
FUZZ_SECONDS ?= 20
fuzz: deps all
	$(Q)./scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

selftest: prog conformance netns

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./scripts/test-all.sh

bench: deps all
	$(Q)$(B)/bench/lw4o6_bench --shared $(SHARED) --obj $(B)/bpf/lw4o6_aftr.bpf.o --pass-obj $(B)/bpf/lw4o6_pass.bpf.o

demo: deps all
	$(Q)./scripts/demo.sh

PREFIX ?= /usr/local
install: all
	install -D -m 0755 $(B)/lw4o6 $(DESTDIR)$(PREFIX)/sbin/lw4o6
	install -D -m 0644 $(B)/bpf/lw4o6_aftr.bpf.o $(DESTDIR)$(PREFIX)/lib/bpf/lw4o6_aftr.bpf.o
	install -D -m 0755 $(B)/pcpd $(DESTDIR)$(PREFIX)/sbin/pcpd

clean:
	rm -rf $(B)
