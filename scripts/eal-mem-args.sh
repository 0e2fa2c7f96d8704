#!/usr/bin/env bash
# Print the EAL memory options for this machine: hugepages when they can be
# had (reserving 2 MiB pages and mounting hugetlbfs if we are root), else
# --no-huge. Diagnostics go to stderr; stdout is only the options.
set -u
want_pages=${UIOMMU_HUGEPAGES:-512}	# 1 GiB of 2 MiB pages

free_pages() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }

if [ "${UIOMMU_NO_HUGE:-0}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
	if [ "$(free_pages)" -lt "$want_pages" ] 2>/dev/null; then
		echo "$want_pages" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	fi
	if ! grep -qs ' hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
	fi
fi
if [ "${UIOMMU_NO_HUGE:-0}" != 1 ] && grep -qs ' hugetlbfs ' /proc/mounts &&
   [ "$(free_pages)" -ge 256 ] 2>/dev/null; then
	echo "eal-mem-args: using hugepages ($(free_pages) x 2 MiB free)" >&2
	echo "-m 256 --in-memory"
else
	echo "eal-mem-args: no hugepages here, running with --no-huge" >&2
	echo "--no-huge -m 512"
fi
