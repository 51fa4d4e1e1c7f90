#!/usr/bin/env bash
# Imports the base layer of the lane's networking images (kube-proxy, kindnetd, flannel) on
# DOCKER_HOST's engine: the node rootfs without containerd, runc, systemd and locales, so iptables,
# nft, conntrack, ip and coreutils are Debian's, the same as on the node. Prints the image's name
# (cnimatrix-lane/netbase:<rootfs key>); an existing one is reused.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
ROOTFS=$("$HERE/rootfs.sh")
IMAGE="cnimatrix-lane/netbase:$(basename "$ROOTFS" .tar)"
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/lane-netbase.XXXX")
  trap 'rm -rf "$WORK"' EXIT
  tar -C "$WORK" -xf "$ROOTFS" --exclude=./usr/bin/containerd\* --exclude=./usr/sbin/runc \
    --exclude=./usr/share/locale --exclude=./usr/lib/systemd --exclude=./usr/bin/systemd\* --exclude=./var/cache
  tar -C "$WORK" -c . | docker import - "$IMAGE" >/dev/null
fi
echo "$IMAGE"
