#!/usr/bin/env bash
# Install what is missing, build (release and ASan+UBSan, warnings as
# errors), run every test in both builds, end with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || exit 1

passed=0 failed=0
run_suite() {	# build-dir, meson setup options...
	local dir=$1; shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" -Dwerror=true "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" || return 1
	meson test -C "$dir" --print-errorlogs --num-processes 1
	local counts p f
	counts=$(scripts/count-tests.py "$dir/meson-logs/testlog.json") ||
		return 1
	read -r p f <<<"$counts"
	echo "$dir: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
}

run_suite build -Dbuildtype=release || failed=$((failed + 1))
# The sanitizer build: unit and stress tests, no benchmarks.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	run_suite build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
	-Db_lundef=false -Dbenchmarks=false || failed=$((failed + 1))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
