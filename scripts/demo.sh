#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo.
# Until app/testpmd-iommu exists the demo is examples/dma_churn: device DMA
# through the emulated SMMUv3 on every lcore while the control plane unmaps
# and remaps (each unmap a batch of TLBIs and one CMD_SYNC).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -d build ] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build
mem=$(scripts/eal-mem-args.sh)
lcores=$(( $(nproc) > 4 ? 4 : $(nproc) ))
lcores=$(( lcores < 2 ? 2 : lcores ))
# shellcheck disable=SC2086
exec build/examples/dma_churn $mem --no-pci --no-telemetry \
	-l 0-$((lcores - 1)) --log-level=lib.eal:error -- -s "${SECONDS_TO_RUN:-3}" "$@"
