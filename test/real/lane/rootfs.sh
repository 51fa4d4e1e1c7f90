#!/usr/bin/env bash
# Builds the Debian bookworm root filesystem of the lane's kind node image with debootstrap, from
# the Debian mirror apt already uses, into ~/.cache/cnimatrix/lane/rootfs/<key>.tar (key = the
# package list and mirror). Prints the tarball's path. Root is required (debootstrap).
set -euo pipefail
MIRROR="${LANE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# What kind's base image installs (images/base/Dockerfile), minus storage extras, plus Debian's
# containerd 1.6 and runc (kind builds its own containerd 2.x and runc; there is no registry or
# GitHub here to fetch those from).
PACKAGES=systemd,systemd-sysv,dbus,containerd,runc,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,curl,jq,procps,socat,ebtables,fuse-overlayfs
CACHE="${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}/lane/rootfs"
KEY=$(printf '%s\n' "$MIRROR" "$SUITE" "$PACKAGES" | sha256sum | cut -c1-16)
OUT="$CACHE/$KEY.tar"
if [[ -s "$OUT" ]]; then echo "$OUT"; exit 0; fi
mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/$KEY.XXXX")
trap 'rm -rf "$WORK"' EXIT
nice -n 10 debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$WORK/root" "$MIRROR" >&2
# Trim what a node never needs; keep apt's lists out of the image.
rm -rf "$WORK/root/var/cache/apt/archives/"*.deb "$WORK/root/var/lib/apt/lists/"* "$WORK/root/usr/share/doc" "$WORK/root/usr/share/man"
tar -C "$WORK/root" --numeric-owner -cf "$OUT.tmp" .
mv "$OUT.tmp" "$OUT"
echo "$OUT"
