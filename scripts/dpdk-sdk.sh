#!/usr/bin/env bash
# Debian's libdpdk-dev does not install DPDK's driver SDK headers
# (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h, ...), which an
# out-of-tree PMD needs. Copy them from the Debian source package of exactly
# the installed version into $TOP/.dpdk-sdk/<pkg-config version>/include,
# where meson.build looks for them. Prints that directory.
#
# Idempotent: when the headers of the installed version are there it only
# checks them. Otherwise (as root) it adds a deb-src entry if apt has no
# source for that version (/etc/apt/sources.list.d/uiommu-deb-src.sources,
# its indices about 10 MB), downloads the source package (about 16 MB) into a
# temporary directory and extracts a handful of headers, applying the Debian
# patches that touch them. A PMD includes them with -DALLOW_INTERNAL_API and
# links librte_bus_vdev, which libdpdk.pc does not list.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "dpdk-sdk: $*" >&2; exit 1; }

# The SDK headers a vdev ethdev PMD includes, then the ones they include that
# libdpdk-dev lacks (source paths in the DPDK tree).
headers=(lib/ethdev/ethdev_driver.h
	lib/ethdev/ethdev_vdev.h
	drivers/bus/vdev/bus_vdev_driver.h
	lib/eal/include/bus_driver.h
	lib/eal/include/dev_driver.h)

command -v dpkg-query >/dev/null || die "dpkg-query not found (not Debian?)"
debver=$(dpkg-query -W -f='${source:Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (run scripts/install-deps.sh)"
srcpkg=$(dpkg-query -W -f='${source:Package}' libdpdk-dev)
upver=$(dpkg-query -W -f='${source:Upstream-Version}' libdpdk-dev)
# The directory is named by the version meson sees (dpdk.version()).
pcver=$(pkg-config --modversion libdpdk 2>/dev/null) ||
	die "pkg-config cannot find libdpdk (is libdpdk-dev installed?)"

dest=$top/.dpdk-sdk/$pcver
inc=$dest/include
stamp=$dest/debian-version

have_all() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$debver" ] || return 1
	local h
	for h in "${headers[@]}"; do
		[ -f "$inc/$(basename "$h")" ] || return 1
	done
}

if have_all; then
	echo "$inc"
	exit 0
fi

[ "$(id -u)" -eq 0 ] ||
	die "driver SDK headers for DPDK $debver missing in $inc; run as root to fetch them"
for t in apt-get apt-cache tar xz patch; do
	command -v "$t" >/dev/null || die "$t not found"
done

# apt knows the source of exactly this version?
have_src() {
	# No grep -q: under pipefail, apt-cache killed by SIGPIPE would fail.
	apt-cache showsrc "$srcpkg" 2>/dev/null | grep -x "Version: $debver" >/dev/null
}
if ! have_src; then
	list=/etc/apt/sources.list.d/uiommu-deb-src.sources
	if [ ! -f "$list" ]; then
		# shellcheck disable=SC1091
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
		echo "dpdk-sdk: adding deb-src entries for $codename in $list" >&2
		cat >"$list" <<-EOF
		# Added by uiommu scripts/dpdk-sdk.sh: the DPDK source package
		# provides the driver SDK headers libdpdk-dev does not install.
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: $codename $codename-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb-src
		URIs: http://deb.debian.org/debian-security
		Suites: $codename-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		# Update only this list: cheaper, and other (possibly broken)
		# repositories cannot make it fail. Keep the other lists.
		echo "dpdk-sdk: apt-get update (deb-src only)" >&2
		apt-get update -qq -o Dir::Etc::sourcelist="$list" \
			-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 ||
			die "apt-get update of $list failed"
	fi
	if ! have_src; then
		echo "dpdk-sdk: apt-get update" >&2
		apt-get update -qq || die "apt-get update failed"
	fi
	have_src || die "no deb-src has $srcpkg $debver (the version of the" \
		"installed libdpdk-dev); add a deb-src entry that does, e.g." \
		"snapshot.debian.org, or upgrade libdpdk-dev"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "dpdk-sdk: downloading source package $srcpkg $debver" >&2
# _apt cannot write into a mktemp dir; download as root.
(cd "$tmp" && apt-get source -qq --download-only \
	-o APT::Sandbox::User=root "$srcpkg=$debver" >/dev/null) ||
	die "apt-get source --download-only $srcpkg=$debver failed"

orig=$(compgen -G "$tmp/${srcpkg}_${upver}.orig.tar.*" | head -n1) ||
	die "no ${srcpkg}_${upver}.orig.tar.* in the downloaded source package"
debtar=$(compgen -G "$tmp/${srcpkg}_${debver#*:}.debian.tar.*" | head -n1) || debtar=

# Debian patches that touch these headers, in series order. (None in
# 22.11.11-0+deb12u1: its patches change eal.c, app/test and the doc build.)
src=$tmp/src
mkdir "$src"
touching=()
if [ -n "$debtar" ] && tar -xf "$debtar" -C "$tmp" debian/patches 2>/dev/null &&
	[ -f "$tmp/debian/patches/series" ]; then
	while read -r p _; do
		[ -n "$p" ] || continue
		for h in "${headers[@]}"; do
			if grep -E "^\+\+\+ [^/]+/$h([[:space:]]|$)" \
				"$tmp/debian/patches/$p" >/dev/null; then
				touching+=("$p")
				break
			fi
		done
	done < <(sed -e 's/#.*//' "$tmp/debian/patches/series")
fi

if [ ${#touching[@]} -eq 0 ]; then
	# Only the headers, from the upstream tarball (no dpkg-source needed).
	wild=()
	for h in "${headers[@]}"; do wild+=("*/$h"); done
	tar -xf "$orig" -C "$src" --strip-components=1 --wildcards "${wild[@]}" ||
		die "$(basename "$orig") lacks some of: ${headers[*]}"
else
	# The whole tree, so that the patches apply as they are.
	tar -xf "$orig" -C "$src" --strip-components=1 ||
		die "cannot extract $(basename "$orig")"
	for p in "${touching[@]}"; do
		echo "dpdk-sdk: applying Debian patch $p" >&2
		patch -d "$src" -p1 -s -f --no-backup-if-mismatch \
			-i "$tmp/debian/patches/$p" >/dev/null ||
			die "Debian patch $p does not apply to $(basename "$orig")"
	done
fi

rm -rf "$dest.new"
mkdir -p "$dest.new/include"
for h in "${headers[@]}"; do
	install -m 0644 "$src/$h" "$dest.new/include/"
done
echo "$debver" >"$dest.new/debian-version"
rm -rf "$dest"
mv "$dest.new" "$dest"

have_all || die "headers missing in $inc after extraction"
echo "dpdk-sdk: driver SDK headers of DPDK $debver in $inc" >&2
echo "$inc"
