#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time from its seed corpus
# (fuzz/corpus/<target>/, copied so the run does not grow the repository).
# A crash, leak or sanitizer report fails the target.
set -u
seconds=$1
shift
passed=0 failed=0 skipped=0
for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d)
	if [ -d "fuzz/corpus/$name" ]; then
		cp -r "fuzz/corpus/$name/." "$work/"
	fi
	log=$(mktemp)
	if "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" "$work" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "PASS $name: ${runs:-?} inputs in ${seconds}s, no crash"
		passed=$((passed + 1))
	else
		echo "FAIL $name: see the report below"
		tail -40 "$log"
		failed=$((failed + 1))
	fi
	rm -rf "$work" "$log"
done
if [ "$#" -eq 0 ]; then
	echo "SKIP fuzz: no fuzz targets built"
	skipped=1
fi
echo "fuzz: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
