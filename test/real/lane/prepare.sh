#!/usr/bin/env bash
# Makes everything a `cnimatrix run` on the lane needs, then prints it as KEY=value lines:
#   BIN               the built binaries (kind, kubectl, …)
#   DOCKER_HOST       the lane engine (started if it is not running)
#   NODE_IMAGE        the node image, on that engine
#   FLANNEL_MANIFEST  kube-flannel.yml from the flannel Go module (the file the pin names; the
#                     product checks its sha256 against clusters/versions.ts)
#   BRIDGE_TARBALL    a tar.gz holding ./bridge, built from build/cni: the product's pinned
#                     cni-plugins release tarball is a GitHub download
#   KINDNETD          yes when kindnetd was built (KINDNETD_SRC), else no
#   FLANNEL_FROM_MANIFEST  v0.26.7's kube-flannel.yml from its Go module (the upgrade cells'
#                     starting manifest; the product checks it against its flannel-v0.26.7 pin)
# Every step reuses its cache; progress goes to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
step() { local t=$SECONDS; "$@"; echo "[lane] $(basename "$1") ${2:-} done in $((SECONDS - t))s" >&2; }
step "$HERE/build.sh" >/dev/null
BIN=$("$HERE/build.sh")
step "$HERE/rootfs.sh" >/dev/null
eval "$("$HERE/engine.sh" start)"
export DOCKER_HOST
NODE_IMAGE=$(step "$HERE/node-image.sh")
step "$HERE/test-images.sh" >/dev/null
step "$HERE/cni-images.sh" >/dev/null
FLANNEL_DIR=$(cd "$HERE/build/flannel" && go list -m -f '{{.Dir}}' github.com/flannel-io/flannel)
BRIDGE_TARBALL="$(dirname "$BIN")/cni-bridge.tgz"
if [[ ! -s "$BRIDGE_TARBALL" ]]; then
  tar -C "$BIN" --owner=0 --group=0 -czf "$BRIDGE_TARBALL.tmp" ./bridge && mv "$BRIDGE_TARBALL.tmp" "$BRIDGE_TARBALL"
fi
echo "BIN=$BIN"
echo "DOCKER_HOST=$DOCKER_HOST"
echo "NODE_IMAGE=$NODE_IMAGE"
echo "FLANNEL_MANIFEST=$FLANNEL_DIR/Documentation/kube-flannel.yml"
echo "BRIDGE_TARBALL=$BRIDGE_TARBALL"
echo "KINDNETD=$([[ -x "$BIN/kindnetd" ]] && echo yes || echo no)"
FROM_DIR=$(cd "$HERE/build/flannel-v0.26.7" && go list -m -f '{{.Dir}}' github.com/flannel-io/flannel)
echo "FLANNEL_FROM_MANIFEST=$FROM_DIR/Documentation/kube-flannel.yml"
