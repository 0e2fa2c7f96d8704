#!/usr/bin/env bash
# Acceptance test of issue 5: stock dpdk-testpmd loads our PMD as a plugin
# (-d), forwards between two paired net_iommu ports, and shows our xstats.
#
# usage: testpmd_plugin.sh <dpdk-testpmd> <librte_net_iommu.so> [iommu...]
# iommu: smmu|vtd|direct (not off: it has no IOTLB to check); default
# "smmu vtd", one testpmd run each.
#
# testpmd runs interactive (-i) with its stdin on a FIFO: the commands go in
# once its prompt is up, with 2 s of forwarding between "start tx_first" and
# the "show" commands. Everything runs under timeout, so a hang fails.
set -euo pipefail

testpmd=$1
plugin=$2
shift 2
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(smmu vtd)

log=
# <message>: fail, with the output of the testpmd run it is about.
fail() {
	[ -z "$log" ] || [ ! -f "$log" ] || cat "$log" >&2
	echo "testpmd_plugin: FAIL: $*" >&2
	exit 1
}

work=$(mktemp -d)
pid=
# EAL's runtime directory (as EAL chooses it), one per --file-prefix:
# removed after each run, EAL leaves it behind.
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
prefixes=()
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	local p
	for p in "${prefixes[@]}"; do
		rm -rf "${rundir:?}/$p"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# <kind>: one testpmd run; the output in $log.
run_testpmd() {
	local kind=$1 fifo=$work/$1.in i
	local prefix=uiommu_testpmd_${kind}_$$
	mkfifo "$fifo"
	# EAL's runtime files under a prefix of our own: runs in parallel, or
	# a crashed earlier run, do not get in the way.
	prefixes+=("$prefix")
	timeout -k 5 90 "$testpmd" --no-huge -m 1024 --no-pci -l 0-1 \
		--file-prefix="$prefix" \
		-d "$plugin" \
		--vdev="net_iommu0,iommu=$kind,peer=net_iommu1" \
		--vdev="net_iommu1,iommu=$kind,peer=net_iommu0" \
		-- -i <"$fifo" >"$log" 2>&1 &
	pid=$!
	exec 3>"$fifo"
	# The prompt is written unbuffered by cmdline, unlike printf output.
	for ((i = 0; i < 600; i++)); do
		grep -q 'testpmd> ' "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'testpmd> ' "$log"; then
		exec 3>&-
		fail "iommu=$kind: no testpmd prompt"
	fi
	printf '%s\n' 'set fwd io' 'start tx_first' >&3
	sleep 2
	printf '%s\n' 'show port stats all' 'show port xstats all' 'stop' \
		'quit' >&3
	exec 3>&-
	local rc=0
	wait "$pid" || rc=$?
	pid=
	if [ "$rc" -ne 0 ] || ! grep -q '^Bye' "$log"; then
		fail "iommu=$kind: testpmd exited with $rc$([ "$rc" -eq 124 ] &&
			echo ' (timeout)')"
	fi
}

# <log>: "port name value" per counter: NIC statistics as nic_rx/nic_tx,
# then every xstat.
parse() {
	awk '
	/NIC statistics for port/ { sec = "nic"; port = $(NF - 1) + 0; next }
	/NIC extended statistics for port/ { sec = "x"; port = $NF + 0; next }
	/Forward statistics|Accumulated forward/ { sec = ""; next }
	sec == "nic" && /RX-packets:/ { print port, "nic_rx", $2 }
	sec == "nic" && /TX-packets:/ { print port, "nic_tx", $2 }
	sec == "x" && /^[A-Za-z0-9_]+: [0-9]+$/ {
		sub(":", "", $1); print port, $1, $2
	}' "$1"
}

# <counters> <port> <name>: the value, or fail if absent.
get() {
	local v
	v=$(awk -v p="$2" -v n="$3" '$1 == p && $2 == n { print $3; exit }' \
		"$1")
	[ -n "$v" ] || fail "iommu=$kind: port $2: no counter $3"
	echo "$v"
}

for kind in "${kinds[@]}"; do
	log=$work/$kind.log
	run_testpmd "$kind"
	stats=$work/$kind.stats
	parse "$log" >"$stats"
	grep -q 'Fail to start' "$log" && fail "iommu=$kind: a port failed to start"

	case $kind in
	smmu) backend=iommu_smmu_cmd_sync ;;
	vtd) backend=iommu_vtd_desc_wait ;;
	*) backend= ;;
	esac
	summary=
	for port in 0 1; do
		rx=$(get "$stats" $port nic_rx)
		tx=$(get "$stats" $port nic_tx)
		[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] ||
			fail "iommu=$kind: port $port: RX $rx TX $tx packets"
		hits=$(get "$stats" $port iommu_hw_hits)
		misses=$(get "$stats" $port iommu_hw_misses)
		[ "$hits" -gt 0 ] || fail "iommu=$kind: port $port: no IOTLB hits"
		[ "$(get "$stats" $port iommu_hw_faults)" -eq 0 ] ||
			fail "iommu=$kind: port $port: iommu_hw_faults"
		[ -z "$backend" ] || get "$stats" $port "$backend" >/dev/null
		# Every per-queue DMA fault counter is there and zero.
		faults=$(awk -v p=$port '$1 == p && $2 ~ /^(rx|tx)_q[0-9]+_dma_fault_/' \
			"$stats")
		[ "$(grep -c . <<<"$faults")" -eq 5 ] ||
			fail "iommu=$kind: port $port: dma_fault xstats: $faults"
		awk '$3 != 0 { exit 1 }' <<<"$faults" ||
			fail "iommu=$kind: port $port: DMA faults: $faults"
		summary+=" port$port rx $rx tx $tx, iotlb hits $hits misses $misses;"
	done
	fwd=$(awk '/Accumulated forward statistics/ { a = 1 }
		a && /RX-packets:/ { print $2; exit }' "$log")
	echo "testpmd_plugin: iommu=$kind: forwarded ${fwd:-?} packets in 2 s;$summary dma faults 0"
done
