#!/usr/bin/env bash
# Install what uiommu needs on Debian 12 (as root). Installs only what is
# missing, so a second run costs a dpkg query.
set -euo pipefail

pkgs=(build-essential g++ meson ninja-build pkg-config python3
      libdpdk-dev dpdk libnuma-dev libcriterion-dev libbenchmark-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
