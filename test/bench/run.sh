#!/usr/bin/env bash
# Run the benchmarks, write Google Benchmark JSON to $BUILD/bench.json, and
# print the ratios that matter: each measurement against its reference loop.
#
#   test/bench/run.sh [--benchmark_* options]
#
# BUILD (default: build) is the meson build directory; MIN_TIME (seconds per
# run, default 0.3) and REPS (repetitions, default 5; the ratios use the
# medians) trade time for noise. The defaults take about 40 s.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
out=$build/bench.json
bench=$build/test/bench/bench_translate

if [ ! -x "$bench" ]; then
	echo "run.sh: no $bench: ninja -C $build, with -Dbenchmarks=true" >&2
	exit 1
fi

status=0
rm -f "$out"
"$bench" --benchmark_min_time="${MIN_TIME:-0.3}" \
	--benchmark_repetitions="${REPS:-5}" \
	--benchmark_report_aggregates_only=true \
	--benchmark_out="$out" --benchmark_out_format=json "$@" || status=$?
if [ ! -s "$out" ]; then
	echo "run.sh: no results in $out" >&2
	exit 1
fi

python3 - "$out" <<'EOF' || status=$?
import json
import sys

with open(sys.argv[1]) as f:
    report = json.load(f)

# One entry per benchmark: the median when there were repetitions.
runs, errors = {}, []
for b in report["benchmarks"]:
    name = b.get("run_name", b["name"])
    if b.get("error_occurred"):
        errors.append(f"{name}: {b.get('error_message', '?')}")
        continue
    agg = b.get("aggregate_name")
    if agg == "median" or (agg is None and name not in runs):
        runs[name] = b


def ns_per_item(name):
    b = runs.get(name)
    if b is None or not b.get("items_per_second"):
        return None
    return 1e9 / b["items_per_second"]


def ratio(label, num, den, note=""):
    a, b = ns_per_item(num), ns_per_item(den)
    if a is None or b is None:
        print(f"  {label:<34} (not run)")
        return None
    print(f"  {label:<34} {a:9.2f} ns / {b:8.2f} ns = {a / b:6.2f}x {note}")
    return a / b


print(f"\nratios (time per operation, medians) from {sys.argv[1]}:")
print(" translate hit / direct-mapped array lookup")
for pages in (64, 4096, 65536):
    ratio(f"4 KiB pages, working set {pages}",
          f"BM_translate_hit_4k/pages:{pages}",
          f"BM_reference_direct_mapped/pages:{pages}")
ratio("2 MiB pages, working set 64", "BM_translate_hit_2m/pages:64",
      "BM_reference_direct_mapped_2m/pages:64")
print(" translate miss / plain 4-level LPAE walk")
ratio("4 KiB pages, working set 4096", "BM_translate_miss_4k/pages:4096",
      "BM_reference_lpae_walk/pages:4096")
print(" strict unmap + map, no lcore online / walk to the leaf, store, twice")
for pg in ("4k", "2m"):
    ratio(pg.replace("k", " KiB").replace("m", " MiB"),
          f"BM_unmap_map_{pg}/translators:0/real_time",
          f"BM_reference_lpae_unmap_map_{pg}")
print(" strict unmap + map: one lcore translating / none")
for pg in ("4k", "2m"):
    ratio(pg.replace("k", " KiB").replace("m", " MiB"),
          f"BM_unmap_map_{pg}/translators:1/real_time",
          f"BM_unmap_map_{pg}/translators:0/real_time")

one = runs.get("BM_translate_hit_scaling/pages:4096/real_time/threads:1")
two = runs.get("BM_translate_hit_scaling/pages:4096/real_time/threads:2")
print(" translate hit throughput, 2 threads / 1 thread (goal >= 1.8)")
if one and two:
    s = two["items_per_second"] / one["items_per_second"]
    print(f"  {'4 KiB pages, working set 4096':<34} "
          f"{two['items_per_second'] / 1e6:9.1f} M/s / "
          f"{one['items_per_second'] / 1e6:8.1f} M/s = {s:6.2f}x "
          f"{'ok' if s >= 1.8 else 'BELOW GOAL'}")
else:
    print(f"  {'4 KiB pages, working set 4096':<34} (not run)")

if errors:
    print("\nfailed:")
    for e in errors:
        print("  " + e)
    sys.exit(1)
EOF
exit "$status"
