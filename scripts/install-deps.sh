#!/usr/bin/env bash
# Install what uiommu needs on Debian 12 (as root). Installs only what is
# missing, so a second run costs a few dpkg queries.
set -euo pipefail

pkgs=(build-essential g++ meson ninja-build pkg-config python3
      libdpdk-dev dpdk dpdk-dev libnuma-dev libcriterion-dev libbenchmark-dev
      libjansson-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
elif [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root" >&2
	exit 1
else
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# DPDK's driver SDK headers, which libdpdk-dev lacks, from the Debian source
# package (see scripts/dpdk-sdk.sh). Only the PMD needs them: without root,
# the build goes on without it.
if inc=$("$(dirname "$0")/dpdk-sdk.sh"); then
	echo "install-deps: DPDK driver SDK headers in $inc"
elif [ "$(id -u)" -eq 0 ]; then
	exit 1
else
	echo "install-deps: warning: no DPDK driver SDK headers; PMDs will be skipped" >&2
fi
