#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Instances (issue 12): a pin root is an instance, with the XDP program it
# attached pinned beside its maps. Sourced by run.sh; run directly for these
# tests only. On run.sh's topology (one softwire, b4tun's):
#   a failed load (bad configuration, a native attach the device refuses, an
#   interface that does not exist) on a new pin root leaves no pin, and a
#   pin root off any bpffs is refused (nothing mounted over it); over the
#   running instance it leaves the instance exactly as it was;
#   a second instance on the first's interfaces is refused, naming the first's
#   pin root, and a foreign XDP program is refused by name; unloading one
#   instance leaves the other's program;
#   unload with pins of another ABI still detaches the program;
#   five loads over the running instance lose no echo of a ping flood, keep
#   every map and replace the program each time;
#   a second pcpd on the same pin root (another database) is refused;
#   pcpd notices an unload (MAP answered NETWORK_FAILURE), a load after it
#   (its bindings back in the new maps) and a load over the running lwAFTR
#   (only logged);
#   pcpd --role b4 puts its set back into an lwB4 loaded again after an
#   unload, a second one on its pin root is refused, and one whose
#   tunnel-ipv6 is not the lwB4's refuses to start (pcpb4.sh's topology).

INSTANCE_TESTS="
instances_failed_load_leaves_nothing
instances_second_refused_unload_own
instances_unload_incompatible_abi
instances_reload_keeps_traffic
instances_pcpd_second_refused
instances_pcpd_follows_unload_load
instances_pcpd_b4_follows_reload
"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $INSTANCE_TESTS
	exec "$(dirname "$0")/run.sh" "$@"
fi

ALL_TESTS+=$INSTANCE_TESTS

TEST_IDS+=(
	[instances_failed_load_leaves_nothing]="lw4o6 load: cleanup after a failure (issue 12)"
	[instances_second_refused_unload_own]="lw4o6 load/unload: one instance per interface (issue 12)"
	[instances_unload_incompatible_abi]="lw4o6 unload: detaches with pins of another ABI (issue 12)"
	[instances_reload_keeps_traffic]="lw4o6 load over a running lwAFTR: atomic replace (issue 12)"
	[instances_pcpd_second_refused]="pcpd: one per pin root and role (issue 12)"
	[instances_pcpd_follows_unload_load]="pcpd follows unload and load of its lwAFTR; PCPS-4 (issue 12)"
	[instances_pcpd_b4_follows_reload]="pcpd --role b4: follows its lwB4, one per pin root, addresses checked (issue 12)"
)

# lw_at ROOT ARGS...: lw4o6 on another pin root, in the aftr namespace
lw_at()
{
	local root=$1

	shift
	in_ns "$NS_AFTR" "$LW4O6" --pin-root "$root" "$@"
}

# xdp_id DEV: the id of the XDP program on DEV in the aftr namespace, or 0
xdp_id()
{
	local id

	id=$(ip -n "$NS_AFTR" -j link show dev "$1" | jq -r '.[0].xdp.prog.id // 0')
	echo "${id:-0}"
}

# expect_fail MESSAGE CMD...: CMD fails and says MESSAGE
expect_fail()
{
	local what=$1 out

	shift
	if out=$("$@" 2>&1); then
		fail "$* succeeded: $out"
	fi
	log "$*: $out"
	grep -qF -- "$what" <<<"$out" || fail "$*: the message does not say '$what'"
}

# instance_state: what must not change when a load over the instance fails
instance_state()
{
	aftr_lw4o6 status --json |
		jq -c '{a: ."ipv6-xdp-prog-id", b: ."ipv4-xdp-prog-id", d6: ."ipv6-dev", d4: ."ipv4-dev",
			s: .softwires, m: .maps, f: ."enable-hairpinning"}'
}

instances_failed_load_leaves_nothing()
{
	local other=$T/bpffs/other before after

	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	echo '{"binding-table":{"binding-entry":[{"binding-ipv6info":"nonsense"}]}}' >"$T/bad.json"

	# a new pin root
	expect_fail "" lw_at "$other" load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/bad.json"
	[ -e "$other" ] && fail "a load with a bad configuration left $other: $(ls "$other")"
	expect_fail "interface 'nosuch' does not exist" \
		lw_at "$other" load aftr --ipv6-dev nosuch --ipv4-dev wan --config "$CONFIG"
	[ -e "$other" ] && fail "a load on a missing interface left $other: $(ls "$other")"
	check_run ip -n "$NS_AFTR" link add lan0 type veth peer name lan1
	check_run ip -n "$NS_AFTR" link set lan0 up
	check_run ip -n "$NS_AFTR" link set lan1 up
	# lo has no native XDP: the attach fails after the maps were pinned
	expect_fail "cannot attach to lo" \
		lw_at "$other" load aftr --ipv6-dev lo --ipv4-dev lo --mode native --config "$CONFIG"
	[ -e "$other" ] && fail "a failed native attach left $other: $(ls "$other")"
	expect_fail "no lwAFTR is loaded" lw_at "$other" status
	[ "$(xdp_id lo)" = 0 ] || fail "lo has an XDP program after the failed load"

	# a pin root whose parent is no bpffs: refused, nothing mounted over it
	mkdir "$T/plain"
	touch "$T/plain/mine"
	expect_fail "$T/plain is not on a bpf filesystem: mount one first (mount -t bpf bpf $T/plain)" \
		lw_at "$T/plain/lw4o6" load aftr --ipv6-dev lan0 --ipv4-dev lan1 --config "$CONFIG"
	grep -q " $T/plain " /proc/mounts && fail "lw4o6 mounted something on $T/plain"
	[ -e "$T/plain/mine" ] && [ ! -e "$T/plain/lw4o6" ] || fail "$T/plain changed: $(ls "$T/plain")"

	# over the running instance: the same failures change nothing
	before=$(instance_state)
	log "instance: $before"
	expect_fail "" aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/bad.json"
	after=$(instance_state)
	[ "$after" = "$before" ] || fail "a refused configuration changed the instance: $after"
	# --obj that is no BPF object, or not an lwAFTR's
	expect_fail "cannot open $CONFIG: BPF object format invalid" \
		aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG" --obj "$CONFIG"
	expect_fail "has no program lw4o6_aftr: not an lwAFTR object" \
		aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG" \
		--obj "$BUILD/bpf/lw4o6_b4.bpf.o"
	after=$(instance_state)
	[ "$after" = "$before" ] || fail "a refused --obj changed the instance: $after"
	# a table the pinned maps cannot hold: refused at install, after the new
	# program went in; the program that ran before is put back
	if over_capacity_table "$T/big.json" "the refusal at install"; then
		expect_fail "the program that ran before is back" \
			aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$T/big.json"
		after=$(instance_state)
		[ "$after" = "$before" ] || fail "a table refused at install changed the instance: $after"
	fi
	# acc is replaced first, then lo refuses: acc gets its program back
	expect_fail "cannot attach to lo" \
		aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev lo --mode native --config "$CONFIG"
	after=$(instance_state)
	[ "$after" = "$before" ] || fail "a failed attach changed the instance: $after"
	[ "$(xdp_id lo)" = 0 ] || fail "lo has an XDP program after the failed load"
	ping_ttl63 "$NS_B4" "$INET4"
}

instances_second_refused_unload_own()
{
	local other=$T/bpffs/other first_id other_id pass_id

	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	first_id=$(xdp_id acc)
	[ "$first_id" != 0 ] || fail "no program on acc after the load"

	expect_fail "acc runs the XDP program lw4o6_aftr (id $first_id) of the lw4o6 instance pinned under $PIN_ROOT" \
		lw_at "$other" load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	[ -e "$other" ] && fail "the refused load left $other"
	[ "$(xdp_id acc)" = "$first_id" ] || fail "the refused load changed acc's program"

	# a program of another loader, by name
	check_run ip -n "$NS_AFTR" link add lan0 type veth peer name lan1
	check_run ip -n "$NS_AFTR" link set lan0 up
	check_run ip -n "$NS_AFTR" link set lan1 up
	check_run ip -n "$NS_AFTR" link set dev lan1 xdpgeneric obj "$PASS_OBJ" sec xdp
	pass_id=$(xdp_id lan1)
	expect_fail "lan1 already has an XDP program: lw4o6_pass (id $pass_id)" \
		lw_at "$other" load aftr --ipv6-dev lan0 --ipv4-dev lan1 --config "$CONFIG"
	[ -e "$other" ] && fail "the refused load left $other"
	[ "$(xdp_id lan0)" = 0 ] || fail "the refused load attached to lan0"
	check_run ip -n "$NS_AFTR" link set dev lan1 xdpgeneric off

	# the second instance on its own interfaces; each unload is its own
	check_run lw_at "$other" load aftr --ipv6-dev lan0 --ipv4-dev lan1 --config "$CONFIG"
	other_id=$(xdp_id lan0)
	[ "$other_id" != 0 ] && [ "$other_id" != "$first_id" ] ||
		fail "the second instance's program: id '$other_id' (the first's $first_id)"
	check_run aftr_lw4o6 unload
	[ "$(xdp_id acc)" = 0 ] && [ "$(xdp_id wan)" = 0 ] || fail "unload left the first instance's program"
	[ "$(xdp_id lan0)" = "$other_id" ] && [ "$(xdp_id lan1)" = "$other_id" ] ||
		fail "unloading the first instance changed the second's program: lan0 $(xdp_id lan0), lan1 $(xdp_id lan1), expected $other_id"
	check_run lw_at "$other" unload
	[ "$(xdp_id lan0)" = 0 ] && [ "$(xdp_id lan1)" = 0 ] || fail "unload left the second instance's program"
	[ -e "$other" ] && fail "unload left $other"

	# pins without a program pin (unload --keep-maps) name interfaces that
	# another instance may run on since: its program is not theirs to detach
	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	check_run aftr_lw4o6 unload --keep-maps
	check_run lw_at "$other" load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	other_id=$(xdp_id acc)
	[ "$other_id" != 0 ] || fail "the second instance did not attach to acc"
	out=$(aftr_lw4o6 unload 2>&1) || fail "unload of the kept maps failed: $out"
	log "unload of the kept maps: $out"
	[ "$(xdp_id acc)" = "$other_id" ] && [ "$(xdp_id wan)" = "$other_id" ] ||
		fail "unload of maps without a program pin detached the other instance's program: acc $(xdp_id acc), wan $(xdp_id wan), expected $other_id"
	grep -qF "left alone" <<<"$out" || fail "unload did not say it left the other instance's program"
	check_run lw_at "$other" unload
	return 0
}

instances_unload_incompatible_abi()
{
	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	[ "$(xdp_id acc)" != 0 ] || fail "no program on acc after the load"
	# the meta entry of a build of another ABI: abi_version 999, role 1
	check_run bpftool map update pinned "$PIN_ROOT/lw_meta" key hex 00 00 00 00 \
		value hex e7 03 00 00 01 00 00 00
	expect_fail "incompatible" aftr_lw4o6 status
	check_run aftr_lw4o6 unload
	[ "$(xdp_id acc)" = 0 ] && [ "$(xdp_id wan)" = 0 ] ||
		fail "unload with pins of another ABI left the program: acc $(xdp_id acc), wan $(xdp_id wan)"
	[ -e "$PIN_ROOT" ] && fail "unload left $PIN_ROOT: $(ls "$PIN_ROOT")"
	return 0
}

instances_reload_keeps_traffic()
{
	local maps ids=() i id out sent rcvd flood

	setup_env "$(sw_entry "$B4_IPV4" 0 0 "$B4_IPV6")"
	ping_ttl63 "$NS_B4" "$INET4" # neighbours resolved both ways
	maps=$(aftr_lw4o6 status --json | jq -c .maps)
	ids+=("$(xdp_id acc)")

	# 1000 echoes a second for longer than the five loads take; ping ends
	# by itself (-c), with no echo in flight to count as lost
	bg flood "$NS_B4" ping -q -i 0.001 -c 6000 -W 2 "$INET4"
	flood=$BG_PID
	sleep 0.5
	for i in 1 2 3 4 5; do
		check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
		id=$(xdp_id acc)
		[ "$(xdp_id wan)" = "$id" ] || fail "load $i: acc runs $id, wan $(xdp_id wan)"
		ids+=("$id")
	done
	alive "$flood" || fail "the flood ended before the loads did: $(cat "$T/flood.log")"
	wait "$flood"
	out=$(cat "$T/flood.log")
	log "ping: $out"
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	rcvd=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	[ -n "$sent" ] && [ "$sent" -gt 100 ] || fail "the flood sent '${sent:-?}' echoes"
	[ "$rcvd" = "$sent" ] || fail "$((sent - rcvd)) of $sent echoes lost during five loads"
	[ "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" = 6 ] ||
		fail "each load should attach a new program: ids ${ids[*]}"
	[ "$(aftr_lw4o6 status --json | jq -c .maps)" = "$maps" ] ||
		fail "the maps changed across the loads: $maps, now $(aftr_lw4o6 status --json | jq -c .maps)"
	# pins of a build before program pins: the program the configuration's
	# interfaces run is taken for the instance's, and replaced
	check_run rm "$PIN_ROOT/lw4o6_aftr_prog"
	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	id=$(xdp_id acc)
	[ "$id" != "${ids[5]}" ] && [ "$(xdp_id wan)" = "$id" ] ||
		fail "a load over pins without a program pin: acc $id, wan $(xdp_id wan), before ${ids[5]}"
	[ -e "$PIN_ROOT/lw4o6_aftr_prog" ] || fail "the load did not pin its program"
	echo "NOTE: $sent echoes, 0 lost, during 5 loads"
}

instances_pcpd_second_refused()
{
	local out rc

	pcp_setup
	sed "s|^database .*|database $T/pcpd2.db|" "$T/pcpd.conf" >"$T/pcpd2.conf"
	out=$(in_ns "$NS_AFTR" timeout 10 "$PCPD" --role aftr --config "$T/pcpd2.conf" 2>&1)
	rc=$?
	log "second pcpd (status $rc): $out"
	[ "$rc" = 1 ] || pfail "a second pcpd on the same pin root: status $rc, expected 1"
	grep -qF "another pcpd --role aftr already serves the data plane pinned under $PIN_ROOT" <<<"$out" ||
		pfail "the second pcpd does not say why it refuses"
	alive "$PCPD_PID" || pfail "the first pcpd is gone"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A, served by the first pcpd"
}

# wait_log PATTERN WHAT: pcpd logs a line matching PATTERN (within 5 s)
wait_log()
{
	wait_for 5 grep -q "$1" "$PCPD_LOG" || pfail "pcpd did not log $2"
	log "pcpd: $(grep "$1" "$PCPD_LOG" | tail -1)"
}

instances_pcpd_follows_unload_load()
{
	local ipa pa sa

	pcp_setup
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A"
	ipa=$(kv "$OUT" ipv4) pa=$(kv "$OUT" port) sa=$(kv "$OUT" size)
	expect_binding "$PCP_B4A" "$ipa" "$pa" "$sa"

	check_run aftr_lw4o6 unload
	wait_log "was unloaded" "the unload"
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	expect_result NETWORK_FAILURE "B4 B's MAP with no lwAFTR loaded"
	[ "$(grep -c "was unloaded" "$PCPD_LOG")" = 1 ] || pfail "pcpd logged the unload more than once"

	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	wait_log "was loaded again" "the new load"
	expect_binding "$PCP_B4A" "$ipa" "$pa" "$sa"
	pcp "$PCP_B4B" map --nonce "$NONCE_B"
	check_port_set "B4 B after the new load"

	# over the running lwAFTR the maps stay: a new program, nothing to put back
	check_run aftr_lw4o6 load aftr --ipv6-dev acc --ipv4-dev wan --config "$CONFIG"
	wait_log "nothing to reopen" "the program replaced"
	[ "$(grep -c "was loaded again" "$PCPD_LOG")" = 1 ] ||
		pfail "a load over the running lwAFTR was taken for new maps"
	# a load that starts the maps from its file takes pcpd's BR address
	# and pools: pcpd puts them back (a load that keeps them: nothing to do)
	wait_for 5 sh -c "'$LW4O6' --pin-root '$PIN_ROOT' status --json | jq -e '.\"br-addresses\" >= 1'" ||
		pfail "the BR address is not back after the load over the running lwAFTR"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	check_port_set "B4 A renews after the loads"
	[ "$(kv "$OUT" port)" = "$pa" ] || pfail "B4 A's set changed across the loads: $pa, now $(kv "$OUT" port)"

	# maps of another ABI under the pin root: no SUCCESS either
	check_run bpftool map update pinned "$PIN_ROOT/lw_meta" key hex 00 00 00 00 \
		value hex e7 03 00 00 01 00 00 00
	wait_log "has maps of another build (ABI 999" "the maps of another ABI"
	pcp "$PCP_B4A" map --nonce "$NONCE_A"
	expect_result NETWORK_FAILURE "B4 A's MAP with maps of another ABI"
}

instances_pcpd_b4_follows_reload()
{
	local out rc set

	pb_setup
	check_run lb b4a unload
	wait_for 5 grep -q "was unloaded" "$T/pcpd-b4.log" || pb_fail "pcpd --role b4 did not log the unload"
	check_run lb b4a load b4 --lan-dev lan --wan-dev b4v --config "$T/b4a.conf"
	wait_for 5 grep -q "was loaded again" "$T/pcpd-b4.log" || pb_fail "pcpd --role b4 did not log the new load"
	log "pcpd --role b4: $(grep -E "was unloaded|was loaded again" "$T/pcpd-b4.log" | paste -sd'|')"
	wait_for 5 sh -c "[ \$(nsenter --net=/run/netns/$LB_P-b4a $LW4O6 --pin-root $T/bpffs/b4a portset list --json | jq -c '.\"port-sets\"[0]') = '$PB_SET' ]" ||
		pb_fail "the set $PB_SET is not back in the new lwB4: $(lb b4a portset list --json)"
	pb_wait_udp 5 >/dev/null || pb_fail "no UDP through the lwB4 loaded again"

	# a second client of the same lwB4
	sed "s|^database .*|database $T/pcpd-b4-2.db|" "$T/pcpd-b4.conf" >"$T/pcpd-b4-2.conf"
	out=$(in_ns "$LB_P-b4a" timeout 10 "$PB_PCPD" --role b4 --config "$T/pcpd-b4-2.conf" 2>&1)
	rc=$?
	log "second pcpd --role b4 (status $rc): $out"
	[ "$rc" = 1 ] && grep -qF "another pcpd --role b4 already serves the data plane pinned under $T/bpffs/b4a" <<<"$out" ||
		pb_fail "a second pcpd --role b4 on the same pin root was not refused as such"

	# a client for another softwire
	stop_bg "$PB_B4_PID" TERM
	sed "s|^tunnel-ipv6 .*|tunnel-ipv6 2001:db8:b4::99|" "$T/pcpd-b4-2.conf" >"$T/pcpd-b4-3.conf"
	out=$(in_ns "$LB_P-b4a" timeout 10 "$PB_PCPD" --role b4 --config "$T/pcpd-b4-3.conf" 2>&1)
	rc=$?
	log "pcpd --role b4 with another tunnel-ipv6 (status $rc): $out"
	[ "$rc" = 1 ] && grep -qF "tunnel-ipv6 2001:db8:b4::99 differs from the lwB4's under $T/bpffs/b4a (2001:db8:b4::1)" <<<"$out" ||
		pb_fail "pcpd --role b4 with another tunnel address was not refused as such"
	set=$(lb b4a portset list --json | jq -c '."port-sets"')
	[ "$set" = "[$PB_SET]" ] || pb_fail "the refused pcpd changed the port sets: $set"
}
