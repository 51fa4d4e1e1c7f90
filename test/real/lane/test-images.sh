#!/usr/bin/env bash
# Builds the two images the suites run, under the exact names they pin, on DOCKER_HOST's engine:
#   registry.k8s.io/e2e-test-images/agnhost:2.56       — agnhost 2.56 built from k8s.io/kubernetes
#       v1.34.4 (test/real's cache) in a Debian rootfs with /bin/sh, curl, dig and base64
#   registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 — the same rootfs (dig, sh)
# The rootfs is a debootstrap of bookworm (cached in ~/.cache/cnimatrix/lane/rootfs/test-<key>.tar).
set -euo pipefail
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
MIRROR="${LANE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=bash,coreutils,curl,bind9-dnsutils,iproute2,ca-certificates,netbase
CACHE="${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}/lane/rootfs"
KEY=$(printf '%s\n' "$MIRROR" bookworm "$PACKAGES" | sha256sum | cut -c1-16)
TAR="$CACHE/test-$KEY.tar"
REAL_BIN="${CNIMATRIX_REAL_BIN:-$(ls -d "${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}"/real/*/bin | head -1)}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lane-test.XXXX")
trap 'rm -rf "$WORK"; docker rmi -f lane-tmp/testbase:raw >/dev/null 2>&1 || true' EXIT
if [[ ! -s "$TAR" ]]; then
  mkdir -p "$CACHE"
  nice -n 10 debootstrap --variant=minbase --include="$PACKAGES" bookworm "$WORK/root" "$MIRROR" >&2
  rm -rf "$WORK/root/var/cache/apt/archives/"*.deb "$WORK/root/var/lib/apt/lists/"* "$WORK/root/usr/share/doc" "$WORK/root/usr/share/man" "$WORK/root/usr/share/locale"
  tar -C "$WORK/root" --numeric-owner -cf "$TAR.tmp" . && mv "$TAR.tmp" "$TAR"
  rm -rf "$WORK/root"
fi
docker import - lane-tmp/testbase:raw <"$TAR" >/dev/null
mkdir -p "$WORK/ctx"; cp "$REAL_BIN/agnhost" "$WORK/ctx/agnhost"
docker build -q -t registry.k8s.io/e2e-test-images/agnhost:2.56 -f - "$WORK/ctx" >/dev/null <<'DOCKERFILE'
FROM lane-tmp/testbase:raw
COPY agnhost /agnhost
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/agnhost"]
CMD ["pause"]
DOCKERFILE
docker build -q -t registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 - >/dev/null <<'DOCKERFILE'
FROM lane-tmp/testbase:raw
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sleep", "infinity"]
DOCKERFILE
echo registry.k8s.io/e2e-test-images/agnhost:2.56 registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
