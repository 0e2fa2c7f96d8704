#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo:
# app/testpmd-iommu forwarding between two net_iommu ports whose every DMA
# goes through the emulated SMMUv3, while the control plane unmaps and
# remaps (each unmap a TLBI and a CMD_SYNC), with a stats line a second.
# Extra arguments go to testpmd-iommu (e.g. --iommu off, --churn-rate 0);
# SECONDS_TO_RUN sets the duration (5), BUILD_DIR the build (build).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build=${BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" -Dbuildtype=release >/dev/null
ninja -C "$build"
app=$build/app/testpmd-iommu/testpmd-iommu
if [ ! -x "$app" ]; then
	# A build dir set up before the DPDK driver SDK headers were there.
	meson setup --reconfigure "$build" >/dev/null
	ninja -C "$build"
fi
mem=$(scripts/eal-mem-args.sh)
lcores=$(( $(nproc) > 3 ? 3 : $(nproc) ))	# main + up to 2 forwarders
lcores=$(( lcores < 2 ? 2 : lcores ))
# shellcheck disable=SC2206 # $mem: several options
eal=($mem --no-pci --no-telemetry --iova-mode=va -l 0-$((lcores - 1))
     --log-level=lib.eal:error)
if [ ! -x "$app" ]; then
	# No PMD without the SDK headers: the core's own demo instead.
	echo "demo: testpmd-iommu is not built (no DPDK driver SDK headers), running examples/dma_churn" >&2
	exec "$build"/examples/dma_churn "${eal[@]}" -- -s "${SECONDS_TO_RUN:-3}"
fi
exec "$app" "${eal[@]}" -- --ports 2 --iommu smmu \
	--duration "${SECONDS_TO_RUN:-5}" --stats-period 1 --churn-rate 1000 "$@"
