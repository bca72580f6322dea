#!/usr/bin/env bash
# The code's own rules that a compiler does not check (make lint):
#  1. no function in production code (bpf/ lib/ cli/ pcpd/) over 100 lines;
#  2. each library includes only the libraries below it (the Makefile's
#     include lists enforce it at build time; this names the offender);
#  3. nothing in the build or the tests reads the reference folder that sits
#     beside the repository on the developers' machines (shared/);
#  4. production code is formatted as .clang-format says.
set -u
cd "$(dirname "$0")/.."
bad=0
while read -r end start name file; do
	n=$((end - start + 1))
	if [ "$n" -gt 100 ]; then
		echo "lint: $file:$start: $name is $n lines (at most 100)"
		bad=$((bad + 1))
	fi
done < <(ctags -x --kinds-C=f --fields=+ne --_xformat='%{end} %{line} %N %F' -R bpf lib cli pcpd 2>/dev/null)

# lower layers may not name a header of a higher one
check_layer() { # dir forbidden-dir...
	local dir=$1; shift
	for f in "$dir"/*.[ch]; do
		for other in "$@"; do
			for h in "$other"/*.h; do
				[ -e "$h" ] || continue
				if grep -q "#include \"$(basename "$h")\"" "$f"; then
					echo "lint: $f includes $h, a layer it may not use"
					bad=$((bad + 1))
				fi
			done
		done
	done
}
check_layer lib/util lib/net lib/pcp lib/aftr lib/b4
check_layer lib/net lib/pcp lib/aftr lib/b4
check_layer lib/pcp lib/aftr lib/b4
check_layer lib/aftr lib/b4
check_layer lib/b4 lib/aftr
check_layer pcpd/b4 lib/aftr pcpd/aftr
check_layer pcpd/aftr lib/b4 pcpd/b4

beside='\.\.''/shared' # split so that this file does not name it
if grep -rqs -- "$beside" Makefile selftests tests scripts bench fuzz; then
	echo "lint: the build or the tests name the folder beside the repository (shared/)"
	bad=$((bad + 1))
fi
# clang-format 14 (Debian 12) is the reference; files it would change are named
if command -v clang-format >/dev/null; then
	while read -r f; do
		if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
			echo "lint: $f is not formatted as .clang-format says (clang-format -i $f)"
			bad=$((bad + 1))
		fi
	done < <(git ls-files 'bpf/*.[ch]' 'lib/*.[ch]' 'cli/*.[ch]' 'pcpd/*.[ch]' 'include/*.h')
else
	echo "lint: clang-format missing (scripts/deps.sh installs it)"
	bad=$((bad + 1))
fi

if [ "$bad" -eq 0 ]; then
	echo "lint: 1 passed, 0 failed, 0 skipped"
else
	echo "lint: 0 passed, $bad failed, 0 skipped"
	exit 1
fi
