#!/usr/bin/env bash
# Run the benchmarks, write Google Benchmark JSON to $BUILD/bench.json
# (bench_translate), $BUILD/bench_smmu_sim.json (bench_smmu_sim),
# $BUILD/bench_vtd_sim.json (bench_vtd_sim) and $BUILD/bench_net_iommu.json
# (bench_net_iommu), and print the ratios that matter: each measurement
# against its reference loop.
#
#   test/bench/run.sh [--benchmark_* options]
#
# The options go to both binaries; one whose --benchmark_filter selects
# nothing is skipped (and it is an error only if both select nothing).
# BUILD (default: build) is the meson build directory; MIN_TIME (seconds per
# run, default 0.3) and REPS (repetitions, default 5; the ratios use the
# medians) trade time for noise. The defaults take about 100 s for
# bench_translate, 80 s for each backend binary and 60 s for
# bench_net_iommu; BENCHES (default "bench_translate bench_smmu_sim
# bench_vtd_sim", and bench_net_iommu when the PMD is built) picks which
# run. The backend binaries and bench_net_iommu run their repetitions
# randomly interleaved, so that drift in this noisy VM falls on both sides
# of each ratio alike.
# UIOMMU_BENCH_HUGE=1 runs bench_net_iommu on 2 MiB hugepages (as root).
# UIOMMU_BENCH_SEED goes to every binary, UIOMMU_BENCH_COLD_PAGES to
# bench_translate. One run.sh at a time: each binary's EAL --file-prefix is
# fixed (each binary has its own).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
default_benches="bench_translate bench_smmu_sim bench_vtd_sim"
# Built only with the net_iommu PMD (the DPDK driver SDK headers).
if [ -x "$build/test/bench/bench_net_iommu" ]; then
	default_benches+=" bench_net_iommu"
fi
benches=${BENCHES:-$default_benches}

for name in $benches; do
	case $name in
	bench_translate|bench_smmu_sim|bench_vtd_sim|bench_net_iommu) ;;
	*) echo "run.sh: BENCHES: unknown $name" >&2; exit 1 ;;
	esac
	if [ ! -x "$build/test/bench/$name" ]; then
		echo "run.sh: no $build/test/bench/$name: ninja -C $build," \
			"with -Dbenchmarks=true" >&2
		exit 1
	fi
done

# Python shared by the ratio scripts below: load the report named by
# argv[1] (medians), ns_per_item(), ratio().
common=$(cat <<'EOF'
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


def verdict(value, goal, at_most):
    if goal is None:
        return ""
    ok = value <= goal if at_most else value >= goal
    return "ok" if ok else ("ABOVE GOAL" if at_most else "BELOW GOAL")


def ratio(label, num, den, goal=None):
    """Print num / den, time per item; goal: the largest ratio allowed."""
    a, b = ns_per_item(num), ns_per_item(den)
    if a is None or b is None:
        print(f"  {label:<46} (not run)")
        return None
    print(f"  {label:<46} {a:9.2f} ns / {b:8.2f} ns = {a / b:6.2f}x "
          f"{verdict(a / b, goal, True)}")
    return a / b


def round_trip_ratio(label, name):
    """name (one lcore translating) over the mean of its round trips."""
    b = runs.get(name)
    rtt = [b.get(f"round_trip_ns_{w}", -1) for w in ("before", "after")] \
        if b else [-1, -1]
    t = ns_per_item(name)
    if min(rtt) <= 0 or t is None:
        print(f"  {label:<46} (not run)")
        return
    mean = sum(rtt) / 2
    note = "(round trip changed)" if max(rtt) > 1.5 * min(rtt) else ""
    print(f"  {label:<46} {t:9.2f} ns / {mean:8.2f} ns = {t / mean:6.2f}x "
          f"{note}")


def backend_ratios(bk, s1, pasid_how):
    """Translate hit and miss of backend bk against direct."""
    print(f" translate hit, {bk} / direct: same pages, same stream (~1: a hit"
          " never reaches the backend)")
    for pages in (64, 4096):
        for api, bm in (("single", "hit"), ("burst 32", "hit_bulk")):
            ratio(f"4 KiB pages, working set {pages}, {api}",
                  f"BM_translate_{bm}_{bk}/pages:{pages}",
                  f"BM_translate_{bm}_direct/pages:{pages}")
    print(f" translate miss (2-entry IOTLB), {bk} / direct, 4096 pages")
    for label, bm in ((f"{s1} at the RID, single", "miss"),
                      (f"{s1} at the RID, burst 32", "miss_bulk"),
                      (f"{s1} at PASID 1 ({pasid_how}), single",
                       "miss_pasid"),
                      ("nested (both stages), single", "miss_nested")):
        ratio(label, f"BM_translate_{bm}_{bk}/pages:4096",
              f"BM_translate_{bm}_direct/pages:4096")


def churn_ratios(bk):
    """Invalidation and strict unmap under load, bk against direct."""
    for op, what in (("inv_range", "uiommu_inv_range() of one page"),
                     ("unmap_map", "strict unmap + map of one page")):
        print(f" {what}, {bk} / direct")
        for t, label in ((0, "no lcore online"),
                         (1, "one lcore translating")):
            ratio(label, f"BM_{op}_{bk}/translators:{t}/real_time",
                  f"BM_{op}_direct/translators:{t}/real_time")
        print(f" {what}, one lcore translating / a cache line's round trip")
        for b in ("direct", bk):
            round_trip_ratio(b, f"BM_{op}_{b}/translators:1/real_time")
    print(f" deferred unmap + map (flush every 16) / strict unmap + map,"
          f" {bk} and direct")
    for b in ("direct", bk):
        for t, label in ((0, "no lcore online"),
                         (1, "one lcore translating")):
            ratio(f"{b}, {label}",
                  f"BM_unmap_map_deferred_{b}/translators:{t}/real_time",
                  f"BM_unmap_map_{b}/translators:{t}/real_time")
    print("  (BM_reference_round_trip alone: "
          + (f"{ns_per_item('BM_reference_round_trip/real_time'):.1f} ns)"
             if ns_per_item("BM_reference_round_trip/real_time") else
             "not run)"))


def finish():
    if errors:
        print("\nfailed:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
EOF
)

status=0
results=0

# Run bench $1 into $2 with the options after; 0: results, 1: none.
run_bench() {
	local name=$1 out=$2

	shift 2
	rm -f "$out"
	"$build/test/bench/$name" --benchmark_min_time="${MIN_TIME:-0.3}" \
		--benchmark_repetitions="${REPS:-5}" \
		--benchmark_report_aggregates_only=true \
		--benchmark_out="$out" --benchmark_out_format=json "$@" ||
		status=$?
	if [ ! -s "$out" ]; then
		echo "run.sh: no results from $name in $out" >&2
		return 1
	fi
	results=$((results + 1))
}

if [[ " $benches " == *" bench_translate "* ]] &&
	run_bench bench_translate "$build/bench.json" "$@"; then
translate_py=$(cat <<'EOF'
def scaling(label, name, goal=1.8):
    one = runs.get(f"{name}/real_time/threads:1")
    two = runs.get(f"{name}/real_time/threads:2")
    if not one or not two:
        print(f"  {label:<46} (not run)")
        return
    s = two["items_per_second"] / one["items_per_second"]
    print(f"  {label:<46} {two['items_per_second'] / 1e6:9.1f} M/s / "
          f"{one['items_per_second'] / 1e6:8.1f} M/s = {s:6.2f}x "
          f"{verdict(s, goal, False)}")


HIT = [("4 KiB pages, working set 64", "4k", "", 64),
       ("4 KiB pages, working set 4096", "4k", "", 4096),
       ("4 KiB pages, working set 65536", "4k", "", 65536),
       ("2 MiB pages, working set 64", "2m", "_2m", 64)]

print(f"\nratios (time per operation, medians) from {sys.argv[1]}:")
print(" translate hit / direct-mapped array lookup (goal <= 1.5)")
for label, pg, ref, pages in HIT:
    ratio(f"{label}, single", f"BM_translate_hit_{pg}/pages:{pages}",
          f"BM_reference_direct_mapped{ref}/pages:{pages}", 1.5)
    ratio(f"{label}, burst 32", f"BM_translate_hit_bulk_{pg}/pages:{pages}",
          f"BM_reference_direct_mapped{ref}/pages:{pages}", 1.5)
print(" translate hit, burst 32 / the reference loop burst-shaped "
      "(VAs to an array)")
for label, pg, ref, pages in HIT:
    ratio(label, f"BM_translate_hit_bulk_{pg}/pages:{pages}",
          f"BM_reference_direct_mapped_bulk{ref}/pages:{pages}")
print(" translate miss / plain 4-level LPAE walk (goal <= 2)")
ratio("hot: 4096 pages, 8 leaf tables, single",
      "BM_translate_miss_4k/pages:4096",
      "BM_reference_lpae_walk/pages:4096", 2)
ratio("hot: 4096 pages, 8 leaf tables, burst 32",
      "BM_translate_miss_bulk_4k/pages:4096",
      "BM_reference_lpae_walk/pages:4096", 2)


def cold_args():
    """pages:N/stride_kib:S of each cold miss run, largest stride first."""
    found = []
    for name in runs:
        if name.startswith("BM_translate_miss_cold/"):
            args = name.split("/", 1)[1]
            pages, stride = (int(a.split(":")[1]) for a in args.split("/"))
            found.append((-stride, pages, args))
    return [(f"cold: {p} pages {-s} KiB apart", a)
            for s, p, a in sorted(found)]


for label, args in cold_args():
    ratio(f"{label}, single", f"BM_translate_miss_cold/{args}",
          f"BM_reference_lpae_walk_cold/{args}", 2)
    ratio(f"{label}, burst 32", f"BM_translate_miss_bulk_cold/{args}",
          f"BM_reference_lpae_walk_cold/{args}", 2)
print(" the same, each lookup depending on the last (latency, no overlap)")
ratio("hot: 4096 pages, 8 leaf tables",
      "BM_translate_miss_4k_chained/pages:4096",
      "BM_reference_lpae_walk_chained/pages:4096")
for label, args in cold_args():
    ratio(label, f"BM_translate_miss_cold_chained/{args}",
          f"BM_reference_lpae_walk_cold_chained/{args}")
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
print(" strict unmap + map, one lcore translating / a cache line's round trip"
      " between the lcores,\n measured before and after its timed loop")
for pg in ("4k", "2m"):
    round_trip_ratio(pg.replace("k", " KiB").replace("m", " MiB"),
                     f"BM_unmap_map_{pg}/translators:1/real_time")
print("  (BM_reference_round_trip alone: "
      + (f"{ns_per_item('BM_reference_round_trip/real_time'):.1f} ns)"
         if ns_per_item("BM_reference_round_trip/real_time") else
         "not run)"))
print(" translate hit throughput, 2 threads / 1 thread (goal >= 1.8)")
scaling("4 KiB pages, working set 4096, single",
        "BM_translate_hit_scaling/pages:4096")
scaling("4 KiB pages, working set 4096, burst 32",
        "BM_translate_hit_bulk_scaling/pages:4096")
finish()
EOF
)
python3 -c "$common"$'\n'"$translate_py" "$build/bench.json" || status=$?
fi

if [[ " $benches " == *" bench_smmu_sim "* ]] &&
	run_bench bench_smmu_sim "$build/bench_smmu_sim.json" \
		--benchmark_enable_random_interleaving=true "$@"; then
smmu_sim_py=$(cat <<'EOF'
print(f"\nsmmu_sim ratios (time per operation, medians) from {sys.argv[1]}:")
backend_ratios("smmu_sim", "stage 1", "CD by SSID")
print(" CMDQ: B TLBI_NH_VA + one CMD_SYNC, no lcore online / the same"
      " entries written\n to a plain ring, per TLBI")
for batch in (1, 16, 256):
    ratio(f"B = {batch}", f"BM_cmdq_tlbi_sync/batch:{batch}",
          f"BM_reference_cmd_ring/batch:{batch}")
churn_ratios("smmu_sim")
finish()
EOF
)
python3 -c "$common"$'\n'"$smmu_sim_py" "$build/bench_smmu_sim.json" || status=$?
fi

if [[ " $benches " == *" bench_vtd_sim "* ]] &&
	run_bench bench_vtd_sim "$build/bench_vtd_sim.json" \
		--benchmark_enable_random_interleaving=true "$@"; then
vtd_sim_py=$(cat <<'EOF'
print(f"\nvtd_sim ratios (time per operation, medians) from {sys.argv[1]}:")
backend_ratios("vtd_sim", "first level", "its PASID entry")
print(" QI: B page-selective IOTLB invalidations + one wait descriptor, no"
      " lcore online /\n the same descriptors written to a plain ring, per"
      " invalidation")
for batch in (1, 16, 256):
    ratio(f"B = {batch}", f"BM_qi_iotlb_wait/batch:{batch}",
          f"BM_reference_desc_ring/batch:{batch}")
churn_ratios("vtd_sim")
print(" MSI through interrupt remapping / a plain IRTE table lookup")
for vectors in (1, 64):
    ratio(f"{vectors} vectors", f"BM_msi_remap/vectors:{vectors}",
          f"BM_reference_irte_lookup/vectors:{vectors}")
finish()
EOF
)
python3 -c "$common"$'\n'"$vtd_sim_py" "$build/bench_vtd_sim.json" || status=$?
fi

if [[ " $benches " == *" bench_net_iommu "* ]] &&
	run_bench bench_net_iommu "$build/bench_net_iommu.json" \
		--benchmark_enable_random_interleaving=true "$@"; then
net_iommu_py=$(cat <<'EOF'
def mpps(name, key="items_per_second"):
    b = runs.get(name)
    return b[key] / 1e6 if b and b.get(key) else None


def pps_ratio(label, num, den, goal=None, key="items_per_second"):
    """Print num / den in packets per second; goal: the least allowed."""
    a, b = mpps(num, key), mpps(den, key)
    if a is None or b is None:
        print(f"  {label:<46} (not run)")
        return
    print(f"  {label:<46} {a:7.2f} Mpps / {b:7.2f} Mpps = {a / b:6.2f}x "
          f"{verdict(a / b, goal, False)}")


def fwd_cells():
    """The goal's cells, in table order: (label, backend, copy, hold)."""
    for hold in (1, 0):
        for copy in (0, 1):
            for bk in ("direct", "smmu", "vtd"):
                held = "held" if hold else "paused"
                yield f"{bk}, copy={copy}, {held}", bk, copy, hold


print(f"\nnet_iommu ratios (packets per second, medians) from {sys.argv[1]}:")
print(" io forwarding, 64-byte frames, one lcore, per second of its CPU:"
      " backend / iommu=off\n (goal >= 0.9); held: the lcore stays online"
      " between bursts")
for label, bk, copy, hold in fwd_cells():
    pps_ratio(label, f"BM_fwd_{bk}/copy:{copy}/hold:{hold}",
              f"BM_fwd_off/copy:{copy}", 0.9)
print(" the same, paired: backend and iommu=off in alternate 2048-round"
      " slices of one run\n (BM_pair), so that both see the same seconds;"
      " median over repetitions of each run's ratio")
for label, bk, copy, hold in fwd_cells():
    b = runs.get(f"BM_pair_{bk}/copy:{copy}/hold:{hold}")
    if b is None or not b.get("ratio"):
        print(f"  {label:<46} (not run)")
        continue
    print(f"  {label:<46} {b['pps'] / 1e6:7.2f} Mpps / "
          f"{b['off_pps'] / 1e6:7.2f} Mpps = {b['ratio']:6.2f}x "
          f"{verdict(b['ratio'], 0.9, False)}")
print(" two forwarding lcores / one, each its own pair of ports, copy=1")
for bk in ("off", "smmu"):
    name = f"BM_fwd_lcores_{bk}/lcores:%d/real_time"
    pps_ratio(f"{bk}, wall clock", name % 2, name % 1)
    pps_ratio(f"{bk}, each lcore's CPU time", name % 2, name % 1,
              key="cpu_pps")
print(" forwarding while a control thread on the other CPU unmaps and maps"
      " 4 KiB pages / without,\n one lcore, copy=1, per second of its CPU"
      " (unmap + map per second: asked, done)")
churn = sorted({n.split("/")[0] for n in runs if n.startswith("BM_churn_")})
for hold in (1, 0):
    for bench in churn:
        bk, mode = bench[len("BM_churn_"):].split("_", 1)
        rates = sorted(int(n.split("/")[1][len("rate:"):]) for n in runs
                       if n.startswith(bench + "/rate:")
                       and n.endswith(f"/hold:{hold}"))
        for rate in rates:
            if rate == 0:
                continue
            b = runs[f"{bench}/rate:{rate}/hold:{hold}"]
            pps_ratio(f"{mode} {bk}, {'held' if hold else 'paused'}, "
                      f"{rate}/s, {b.get('churn_ops_per_s', 0):.0f}/s",
                      f"{bench}/rate:{rate}/hold:{hold}",
                      f"{bench}/rate:0/hold:{hold}")
finish()
EOF
)
python3 -c "$common"$'\n'"$net_iommu_py" "$build/bench_net_iommu.json" || status=$?
fi

if [ "$results" -eq 0 ]; then
	echo "run.sh: no results" >&2
	exit 1
fi
exit "$status"
