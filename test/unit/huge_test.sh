#!/usr/bin/env bash
# Run a test that needs 2 MiB hugepages: scripts/eal-mem-args.sh reserves
# and mounts them when we are root; without enough free ones the test is
# skipped (77, meson's SKIP), not failed.
#   huge_test.sh <source root> <test binary> [args]
set -u
root=$1; shift
free=$(UIOMMU_HUGEPAGES=${UIOMMU_HUGEPAGES:-1024} "$root"/scripts/eal-mem-args.sh 2>/dev/null)
case $free in
*--no-huge*) echo "huge_test: no hugepages here: skipped"; exit 77 ;;
esac
if [ "$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)" -lt 600 ]; then
	echo "huge_test: fewer than 600 free 2 MiB hugepages: skipped"
	exit 77
fi
exec "$@"
