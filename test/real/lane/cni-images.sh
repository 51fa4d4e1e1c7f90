#!/usr/bin/env bash
# Builds the images the lane's flannel cells install, under the exact names clusters/versions.ts
# pins (componentImages.flannel), on DOCKER_HOST's engine, so `cnimatrix run --preload` loads them:
#   ghcr.io/flannel-io/flannel:<v>              — flanneld at /opt/bin/flanneld, as upstream's
#       images/Dockerfile lays it out, on netbase.sh's Debian layer (iptables, nft, ip, cp)
#   ghcr.io/flannel-io/flannel-cni-plugin:<v>   — the flannel CNI plugin at /flannel, which the
#       manifest's init container copies to /opt/cni/bin (built from containernetworking/plugins
#       v0.9.1: github.com/flannel-io/cni-plugin is not served by the Go proxy, see README.md)
# and the two names v0.26.7's kube-flannel.yml references, for the upgrade cells (v0.26.7 → v0.27.4):
#   ghcr.io/flannel-io/flannel:v0.26.7          — $BIN/flanneld-v0.26.7 at /opt/bin/flanneld
#   ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1 — NOT upstream's v1.6.2 plugin: the same
#       binary as the v1.8.0-flannel1 image above (flannel-io/cni-plugin is not served at any
#       version), so on the lane an upgrade changes the plugin image's name, not its bytes
# Prints the four names.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
FLANNEL_IMAGE=ghcr.io/flannel-io/flannel:v0.27.4
PLUGIN_IMAGE=ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1
FROM_FLANNEL_IMAGE=ghcr.io/flannel-io/flannel:v0.26.7
FROM_PLUGIN_IMAGE=ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1
BIN=$("$HERE/build.sh")
BASE=$("$HERE/netbase.sh")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lane-cni.XXXX")
trap 'rm -rf "$WORK"' EXIT
cp "$BIN/flanneld" "$BIN/flanneld-v0.26.7" "$BIN/flannel" "$WORK/"
flannel_image() { # $1: name, $2: flanneld binary in $WORK
  docker build -q -t "$1" --build-arg "BASE=$BASE" --build-arg "FLANNELD=$2" -f - "$WORK" >/dev/null <<'DOCKERFILE'
ARG BASE
FROM $BASE
ARG FLANNELD
COPY $FLANNELD /opt/bin/flanneld
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/opt/bin/flanneld"]
DOCKERFILE
}
plugin_image() { # $1: name
  docker build -q -t "$1" --build-arg "BASE=$BASE" -f - "$WORK" >/dev/null <<'DOCKERFILE'
ARG BASE
FROM $BASE
COPY flannel /flannel
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOCKERFILE
}
flannel_image "$FLANNEL_IMAGE" flanneld
plugin_image "$PLUGIN_IMAGE"
flannel_image "$FROM_FLANNEL_IMAGE" flanneld-v0.26.7
plugin_image "$FROM_PLUGIN_IMAGE"
echo "$FLANNEL_IMAGE" "$PLUGIN_IMAGE" "$FROM_FLANNEL_IMAGE" "$FROM_PLUGIN_IMAGE"
