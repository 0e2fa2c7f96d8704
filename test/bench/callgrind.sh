#!/usr/bin/env bash
# Count the instructions each translation (or reference lookup) executes:
# run each selected benchmark alone under callgrind and divide the inclusive
# instruction count of its timed loop (a *_loop function of its own in
# bench_translate.c) by the iterations it ran. Unlike run.sh's times, these
# counts do not move with the machine's load, its caches or its clock.
#
#   test/bench/callgrind.sh [regex]
#
# regex (default: every translate and reference loop but the 2-thread and
# unmap/map ones) selects among `bench_translate --benchmark_list_tests`.
# BUILD (default: build) is the meson build directory. Iterations are
# BATCH (256) per call to ubench_keep_running_batch() from the loop, less
# the last call of each run, which ends it; the instructions of those calls
# are left out. Prints instructions per iteration: per translation.
# Takes about 8 min, most of it setting up the cold fixtures; not while
# another bench_translate runs (EAL's --file-prefix is fixed).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
bench=$build/test/bench/bench_translate
filter=${1:-'^BM_(translate_(hit|miss)|reference_(direct|lpae_walk))'}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bench" ]; then
	echo "callgrind.sh: no $bench: ninja -C $build" >&2
	exit 1
fi
if ! command -v valgrind >/dev/null; then
	echo "callgrind.sh: no valgrind" >&2
	exit 1
fi

"$bench" --benchmark_list_tests 2>/dev/null | grep -E "$filter" |
	grep -v -e '/threads:' -e 'unmap' > "$tmp/list" || true
if [ ! -s "$tmp/list" ]; then
	echo "callgrind.sh: no benchmark matches $filter" >&2
	exit 1
fi

printf '%-64s %12s %10s\n' benchmark instructions per_op
i=0
while read -r name; do
	i=$((i + 1))
	out=$tmp/cg.$i
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$bench" --benchmark_filter="^${name}\$" \
		--benchmark_min_time=0.01 >/dev/null 2>"$tmp/log.$i" || {
		echo "callgrind.sh: $name failed:" >&2
		tail -5 "$tmp/log.$i" >&2
		exit 1
	}
	callgrind_annotate --inclusive=yes --tree=calling --threshold=100 \
		"$out" > "$tmp/ann.$i" 2>/dev/null
	python3 - "$name" "$tmp/ann.$i" <<'EOF'
import re
import sys

name, path = sys.argv[1], sys.argv[2]
BATCH = 256

# The timed loop of each benchmark family, most specific first.
LOOPS = [
    (r"BM_translate_(hit|miss)_bulk_", "translate_bulk_loop"),
    (r"BM_translate_miss_\w*_chained/", "translate_chained_loop"),
    (r"BM_translate_", "translate_loop"),
    (r"BM_reference_direct_mapped_bulk_2m/", "ref_dm_bulk_loop_2m"),
    (r"BM_reference_direct_mapped_bulk/", "ref_dm_bulk_loop_4k"),
    (r"BM_reference_direct_mapped_2m/", "ref_dm_loop_2m"),
    (r"BM_reference_direct_mapped/", "ref_dm_loop_4k"),
    (r"BM_reference_lpae_walk\w*_chained/", "ref_lpae_chained_loop"),
    (r"BM_reference_lpae_walk", "ref_lpae_loop"),
]
loop = next(fn for pattern, fn in LOOPS if re.match(pattern, name))

# callgrind_annotate --tree=calling: a "*" line per function (inclusive
# cost), then a ">" line per callee: cost, and "(Nx)" calls.
fn_re = re.compile(r"^\s*([\d,]+)\s.*\*\s+\S*?:([^\s(]+)")
callee_re = re.compile(r"^\s*([\d,]+)\s.*>\s+\S*?:([^\s(]+) \(([\d,]+)x\)")
num = lambda s: int(s.replace(",", ""))
base = lambda fn: fn.split(".")[0]    # translate_bulk_loop.constprop.0

cur, ir, calls, batches, batch_ir = None, 0, 0, 0, 0
for line in open(path):
    m = fn_re.match(line)
    if m:
        cur = base(m.group(2))
        if cur == loop:
            ir += num(m.group(1))
        continue
    m = callee_re.match(line)
    if not m:
        continue
    callee = base(m.group(2))
    if callee == loop:
        calls += num(m.group(3))
    elif cur == loop and callee == "ubench_keep_running_batch":
        batches += num(m.group(3))
        batch_ir += num(m.group(1))
iters = (batches - calls) * BATCH
if ir == 0 or iters <= 0:
    sys.exit(f"callgrind.sh: {name}: no samples of {loop}")
print(f"{name:<64} {ir:12d} {(ir - batch_ir) / iters:10.2f}")
EOF
done < "$tmp/list"
