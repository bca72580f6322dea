# SPDX-License-Identifier: GPL-2.0
# lw4o6 — one Makefile, every generated file under build/.
#   make            build the BPF objects, lw4o6, pcpd and the test programs
#   make test       every test layer (installs the Debian packages it needs)
#   make demo       the lab in network namespaces
#   make conformance / bench / unit / prog / prog-b4 / netns / fuzz / san
#   make install    the programs, the BPF objects (builds no test)
# CFLAGS replaces the optimisation and debug flags, EXTRA_CFLAGS and
# EXTRA_LDFLAGS add to what the build needs; V=1 shows the commands.

CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
PKG_CONFIG ?= pkg-config
V        ?= 0
B        ?= build
DATA     ?= $(abspath selftests/data)
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# ---- flags --------------------------------------------------------------------

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Wno-compare-distinct-pointer-types -Iinclude -Ibpf/common \
	-idirafter /usr/include/$(MULTIARCH)
CFLAGS   ?= -O2 -g
WARN     := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter
DEPFLAGS  = -MMD -MP -MF $(@:.o=.d)
LDLIBS   := $(shell $(PKG_CONFIG) --libs libxdp libbpf json-c 2>/dev/null || echo -lxdp -lbpf -ljson-c) -lsqlite3 -lelf -lz -lm

# Each library sees only the libraries below it: lib/b4 cannot include a
# header of lib/aftr, nor lib/pcp one of either role.
INC_util := -Iinclude -Ilib/util
INC_net  := $(INC_util) -Ilib/net
INC_pcp  := $(INC_net) -Ilib/pcp
INC_aftr := $(INC_pcp) -Ilib/aftr
INC_b4   := $(INC_pcp) -Ilib/b4
INC_cli  := $(INC_aftr) -Ilib/b4 -Icli -I$(B)
INC_pcpd_aftr := $(INC_aftr) -Ipcpd -Ipcpd/aftr
INC_pcpd_b4   := $(INC_b4) -Ipcpd -Ipcpd/b4
INC_pcpd_main := $(INC_aftr) -Ilib/b4 -Ipcpd -Ipcpd/aftr -Ipcpd/b4
INC_test := $(INC_aftr) -Ilib/b4 -Iselftests/lib -Itests -DLW4O6_DATA_DIR='"$(DATA)"'

# ---- what there is --------------------------------------------------------------

LIBS_ORDER := aftr b4 pcp net util
lib_srcs = $(wildcard lib/$(1)/*.c)
lib_objs = $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
LIBS     := $(foreach l,$(LIBS_ORDER),$(B)/lib/liblw4o6-$(l).a)
TLIB     := $(B)/lib/liblw4o6-test.a
TLIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard selftests/lib/*.c))

CLI_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard cli/*.c))
PCPD_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard pcpd/*.c pcpd/aftr/*.c pcpd/b4/*.c))
UNIT_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))
TOOL_BINS := $(patsubst selftests/netns/%.c,$(B)/selftests/%,$(wildcard selftests/netns/*.c))
FUZZ_BINS := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
prog_objs = $(patsubst %.c,$(B)/obj/%.o,$(wildcard $(1)/*.c))

BPF_PROD := $(B)/bpf/lw4o6_aftr.bpf.o $(B)/bpf/lw4o6_b4.bpf.o $(B)/bpf/lw4o6_pass.bpf.o
BPF_TEST := $(B)/bpf/lw4o6_aftr_test.bpf.o $(B)/bpf/lw4o6_b4_test.bpf.o
SKELS    := $(B)/lw4o6_aftr.skel.h $(B)/lw4o6_b4.skel.h

PRODUCT := $(BPF_PROD) $(B)/lw4o6 $(B)/pcpd
TESTS   := $(BPF_TEST) $(UNIT_BINS) $(TOOL_BINS) $(B)/selftests/prog_runner \
	$(B)/selftests/prog_b4_runner $(B)/selftests/conformance $(B)/bench/lw4o6_bench \
	$(B)/bench/lw4o6_bench_loop.bpf.o $(B)/selftests/mutate $(B)/selftests/lw4o6_aftr_rebuilt.bpf.o
TARGETS := $(PRODUCT) $(TESTS) $(FUZZ_BINS)

.PHONY: all product tests deps test unit selftest prog prog-b4 conformance netns fuzz bench demo \
	clean install san lint
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TARGETS)
product: $(PRODUCT)
tests: $(TESTS)

deps:
	$(Q)./scripts/deps.sh

# ---- BPF ------------------------------------------------------------------------

# bpf/<role>/lw4o6_<role>.bpf.c; the test variant poisons new headroom
# (LW4O6_TEST) so that a field the program forgets to write shows up as 0xff
# instead of the zeroes BPF_PROG_TEST_RUN gives.
define bpf_rules
$(B)/bpf/lw4o6_$(1).bpf.o: bpf/$(1)/lw4o6_$(1).bpf.c
	@mkdir -p $$(@D)
	$$(call msg,CLANG,$$@)
	$$(Q)$$(CLANG) $$(BPF_CFLAGS) $$(DEPFLAGS) -c $$< -o $$@
$(B)/bpf/lw4o6_$(1)_test.bpf.o: bpf/$(1)/lw4o6_$(1).bpf.c
	@mkdir -p $$(@D)
	$$(call msg,CLANG,$$@)
	$$(Q)$$(CLANG) $$(BPF_CFLAGS) -DLW4O6_TEST $$(DEPFLAGS) -c $$< -o $$@
endef
$(foreach p,aftr b4 pass,$(eval $(call bpf_rules,$(p))))

# selftests/netns/hitless.sh replaces the running lwAFTR with an object that
# is not the running one's: the same sources, built with a build tag.
$(B)/selftests/lw4o6_aftr_rebuilt.bpf.o: bpf/aftr/lw4o6_aftr.bpf.c
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLW4O6_BUILD_TAG=2 $(DEPFLAGS) -c $< -o $@

# make bench's loop wrapper (bench/lw4o6_bench_loop.bpf.c): not a product.
$(B)/bench/lw4o6_bench_loop.bpf.o: bench/lw4o6_bench_loop.bpf.c
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench $(DEPFLAGS) -c $< -o $@

$(B)/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@.tmp 2> $@.err || { cat $@.err >&2; exit 1; }
	$(Q)mv $@.tmp $@ && rm -f $@.err

# ---- user space -------------------------------------------------------------------

# The include list of an object is that of its folder.
$(B)/obj/lib/%.o: INC = $(INC_$(word 2,$(subst /, ,$*)))
$(B)/obj/cli/%.o: INC = $(INC_cli)
$(B)/obj/pcpd/aftr/%.o: INC = $(INC_pcpd_aftr)
$(B)/obj/pcpd/b4/%.o: INC = $(INC_pcpd_b4)
$(B)/obj/pcpd/%.o: INC = $(INC_pcpd_main)
$(B)/obj/tests/%.o $(B)/obj/selftests/%.o $(B)/obj/bench/%.o: INC = $(INC_test)

# the CLI embeds the production objects through their skeletons
$(CLI_OBJS): $(SKELS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(WARN) $(INC) $(CFLAGS) $(EXTRA_CFLAGS) $(DEPFLAGS) -c $< -o $@

.SECONDEXPANSION:
$(B)/lib/liblw4o6-%.a: $$(call lib_objs,$$*)
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TLIB): $(TLIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

link = $(call msg,LINK,$@) mkdir -p $(@D) && \
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) $(1) -o $@ $(LDLIBS)

$(B)/lw4o6: $(CLI_OBJS) $(LIBS)
	$(Q)$(call link,$^)

$(B)/pcpd: $(PCPD_OBJS) $(LIBS)
	$(Q)$(call link,$^)

$(B)/tests/%: $(B)/obj/tests/%.o $(TLIB) $(LIBS)
	$(Q)$(call link,$^ -lcmocka)

$(B)/selftests/prog_runner: $(call prog_objs,selftests/prog) $(TLIB) $(LIBS)
	$(Q)$(call link,$^)

$(B)/selftests/prog_b4_runner: $(call prog_objs,selftests/prog_b4) $(TLIB) $(LIBS)
	$(Q)$(call link,$^)

$(B)/selftests/conformance: $(call prog_objs,selftests/conformance) $(TLIB) $(LIBS)
	$(Q)$(call link,$^)

$(B)/selftests/mutate: $(call prog_objs,selftests/mutate) $(TLIB) $(LIBS)
	$(Q)$(call link,$^)

$(B)/selftests/%: $(B)/obj/selftests/netns/%.o $(TLIB) $(LIBS)
	$(Q)$(call link,$^)

$(B)/bench/lw4o6_bench: $(patsubst %.c,$(B)/obj/%.o,$(filter-out %.bpf.c,$(wildcard bench/*.c))) \
		$(TLIB) $(LIBS)
	$(Q)$(call link,$^)

# libFuzzer targets: clang with -fsanitize=fuzzer,address,undefined over the
# library sources they exercise (listed in the target's first line).
$(B)/fuzz/%: fuzz/%.c
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined $(INC_pcp) -MMD -MP -MF $@.d \
		$< $(shell sed -n '1s|^// fuzz-sources: ||p' $<) -o $@ $(LDLIBS)
$(FUZZ_BINS): $(shell sed -n '1s|^// fuzz-sources: ||p' $(wildcard fuzz/fuzz_*.c))

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- test layers --------------------------------------------------------------
# Each layer prints its own closing line; scripts/test-all.sh adds them up into
# the one closing line of `make test`.

unit: deps all
	$(Q)./scripts/run-unit.sh $(UNIT_BINS)

prog: deps all
	$(Q)$(B)/selftests/prog_runner --obj $(B)/bpf/lw4o6_aftr_test.bpf.o

prog-b4: deps all
	$(Q)$(B)/selftests/prog_b4_runner --obj $(B)/bpf/lw4o6_b4_test.bpf.o

conformance: deps all
	$(Q)$(B)/selftests/conformance --data $(DATA) --obj $(B)/bpf/lw4o6_aftr_test.bpf.o

netns: deps all
	$(Q)./selftests/netns/run.sh

# Each fuzz target runs for a bounded time (FUZZ_SECONDS) from its seed corpus.
FUZZ_SECONDS ?= 20
fuzz: deps all
	$(Q)./scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# The mutation fuzzer of both XDP programs (selftests/mutate): MUTATE_FRAMES
# frames per program from a fixed seed; fuzz-long: FUZZ_LONG_FRAMES from
# FUZZ_SEED (a fresh one unless given), frames/s and every violation class.
.PHONY: mutate fuzz-long
MUTATE_FRAMES ?= 500000
FUZZ_LONG_FRAMES ?= 10000000
FUZZ_SEED ?= random
MUTATE_OBJS := --aftr-obj $(B)/bpf/lw4o6_aftr_test.bpf.o --b4-obj $(B)/bpf/lw4o6_b4_test.bpf.o
mutate: deps all
	$(Q)$(B)/selftests/mutate --frames $(MUTATE_FRAMES) --seed 1 $(MUTATE_OBJS)

fuzz-long: deps all
	$(Q)$(B)/selftests/mutate --frames $(FUZZ_LONG_FRAMES) --seed $(FUZZ_SEED) --examples 1 $(MUTATE_OBJS)

# The unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer
# into build/san, run as the unit layer is (a report fails the test).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
san: deps
	$(Q)$(MAKE) --no-print-directory B=$(B)/san EXTRA_CFLAGS='$(SAN_FLAGS) $(EXTRA_CFLAGS)' \
		$(patsubst $(B)/%,$(B)/san/%,$(UNIT_BINS))
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 LAYER=san \
		./scripts/run-unit.sh $(patsubst $(B)/%,$(B)/san/%,$(UNIT_BINS))

# The code's own rules: function length, layering, self-contained tests.
lint:
	$(Q)./scripts/check-code.sh

selftest: prog conformance netns

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./scripts/test-all.sh

# v1 (one frame per call) and v2 (many frames per call through the loop
# wrapper); v2's rows also in $(B)/bench/bench.json and bench.svg.
bench: deps all
	$(Q)$(B)/bench/lw4o6_bench --data $(DATA) --obj $(B)/bpf/lw4o6_aftr.bpf.o \
		--pass-obj $(B)/bpf/lw4o6_pass.bpf.o --b4-obj $(B)/bpf/lw4o6_b4.bpf.o \
		--loop-obj $(B)/bench/lw4o6_bench_loop.bpf.o --out $(B)/bench --plot bench/bench.gp

demo: deps all
	$(Q)./scripts/demo.sh

PREFIX ?= /usr/local
install: product
	install -D -m 0755 $(B)/lw4o6 $(DESTDIR)$(PREFIX)/sbin/lw4o6
	install -D -m 0755 $(B)/pcpd $(DESTDIR)$(PREFIX)/sbin/pcpd
	install -D -m 0644 $(B)/bpf/lw4o6_aftr.bpf.o $(DESTDIR)$(PREFIX)/lib/bpf/lw4o6_aftr.bpf.o
	install -D -m 0644 $(B)/bpf/lw4o6_b4.bpf.o $(DESTDIR)$(PREFIX)/lib/bpf/lw4o6_b4.bpf.o

clean:
	rm -rf $(B)
