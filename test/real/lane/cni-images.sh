#!/usr/bin/env bash
# Builds the images the lane's flannel cells install, under the exact names clusters/versions.ts
# pins (componentImages.flannel), on DOCKER_HOST's engine, so `cnimatrix run --preload` loads them:
#   ghcr.io/flannel-io/flannel:<v>              — flanneld at /opt/bin/flanneld, as upstream's
#       images/Dockerfile lays it out, on netbase.sh's Debian layer (iptables, nft, ip, cp)
#   ghcr.io/flannel-io/flannel-cni-plugin:<v>   — the flannel CNI plugin at /flannel, which the
#       manifest's init container copies to /opt/cni/bin (built from containernetworking/plugins
#       v0.9.1: github.com/flannel-io/cni-plugin is not served by the Go proxy, see README.md)
# Prints the two names.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
FLANNEL_IMAGE=ghcr.io/flannel-io/flannel:v0.27.4
PLUGIN_IMAGE=ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1
BIN=$("$HERE/build.sh")
BASE=$("$HERE/netbase.sh")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lane-cni.XXXX")
trap 'rm -rf "$WORK"' EXIT
cp "$BIN/flanneld" "$BIN/flannel" "$WORK/"
docker build -q -t "$FLANNEL_IMAGE" --build-arg "BASE=$BASE" -f - "$WORK" >/dev/null <<'DOCKERFILE'
ARG BASE
FROM $BASE
COPY flanneld /opt/bin/flanneld
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/opt/bin/flanneld"]
DOCKERFILE
docker build -q -t "$PLUGIN_IMAGE" --build-arg "BASE=$BASE" -f - "$WORK" >/dev/null <<'DOCKERFILE'
ARG BASE
FROM $BASE
COPY flannel /flannel
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOCKERFILE
echo "$FLANNEL_IMAGE" "$PLUGIN_IMAGE"
