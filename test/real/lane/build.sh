#!/usr/bin/env bash
# Builds every binary the lane's kind node image and cluster need, from Go modules pinned in
# build/*/go.mod (+ go.sum), into ~/.cache/cnimatrix/lane/<key>/bin, key = what the build reads.
# Prints that bin folder. A warm cache builds nothing.
#   KINDNETD_SRC=<dir holding kind's images/kindnetd at tag v0.31.0> — its module is not served by
#   the Go proxy (see README.md); without it kindnetd is not built and the image build refuses.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION=v1.34.4
FLANNEL_VERSION=v0.27.4  # clusters/versions.ts cniVersions.flannel
FLANNEL_FROM_VERSION=v0.26.7  # the upgrade cells' starting version (clusters/versions.ts flannelReleases)
CACHE="${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}/lane"
V=k8s.io/component-base/version
LDFLAGS="-s -w -X $V.gitVersion=$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=34 -X $V.gitTreeState=clean -X $V.buildDate=1970-01-01T00:00:00Z"
LDFLAGS+=" -X sigs.k8s.io/cri-tools/pkg/version.Version=v1.34.0"  # crictl reports "unknown" without it
key() {
  { go version; echo "$LDFLAGS"; cat "$HERE/build.sh" "$HERE"/build/*/go.mod "$HERE"/build/*/go.sum
    if [[ -n "${KINDNETD_SRC:-}" ]]; then cat "$KINDNETD_SRC/go.mod" "$KINDNETD_SRC/go.sum"; find "$KINDNETD_SRC/cmd" -type f -name '*.go' | sort | xargs cat; fi
  } | sha256sum | cut -c1-16
}
BIN="$CACHE/$(key)/bin"
NEED=(kind kubelet kubeadm kubectl kube-proxy crictl host-local loopback ptp portmap bridge coredns pause flanneld "flanneld-$FLANNEL_FROM_VERSION" flannel)
[[ -n "${KINDNETD_SRC:-}" ]] && NEED+=(kindnetd)
complete() { local n; for n in "${NEED[@]}"; do [[ -x "$BIN/$n" ]] || return 1; done; }
if complete; then echo "$BIN"; exit 0; fi
STAGE="$BIN.$$.tmp"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"
gobuild() { # $1: module dir, rest: packages
  local dir=$1; shift
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 10 go build -trimpath "-ldflags=$LDFLAGS" -o "$STAGE/" "$@") >&2
}
start=$(date +%s)
gobuild "$HERE/build/k8s" k8s.io/kubernetes/cmd/{kubelet,kubeadm,kubectl,kube-proxy} sigs.k8s.io/cri-tools/cmd/crictl sigs.k8s.io/kind
gobuild "$HERE/build/cni" github.com/containernetworking/plugins/plugins/{ipam/host-local,main/loopback,main/ptp,meta/portmap,main/bridge}
gobuild "$HERE/build/coredns" github.com/coredns/coredns
[[ -n "${KINDNETD_SRC:-}" ]] && gobuild "$KINDNETD_SRC" ./cmd/kindnetd
# flanneld as upstream's Makefile builds it: cgo on amd64 (its UDP backend), linked statically.
(cd "$HERE/build/flannel" && CGO_ENABLED=1 GOFLAGS=-mod=readonly nice -n 10 go build -trimpath \
  "-ldflags=-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION -extldflags -static" \
  -o "$STAGE/flanneld" github.com/flannel-io/flannel) >&2
(cd "$HERE/build/flannel-$FLANNEL_FROM_VERSION" && CGO_ENABLED=1 GOFLAGS=-mod=readonly nice -n 10 go build -trimpath \
  "-ldflags=-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_FROM_VERSION -extldflags -static" \
  -o "$STAGE/flanneld-$FLANNEL_FROM_VERSION" github.com/flannel-io/flannel) >&2
gobuild "$HERE/build/flannel-cni" github.com/containernetworking/plugins/plugins/meta/flannel
# pause: Kubernetes' own C pause (build/pause/linux/pause.c in the k8s.io/kubernetes module), static.
PAUSE_SRC="$(cd "$HERE/build/k8s" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
nice -n 10 gcc -Os -static -DVERSION=v3.10.1 -o "$STAGE/pause" "$PAUSE_SRC" >&2
strip "$STAGE/pause"
echo "built in $(( $(date +%s) - start ))s" >&2
rm -rf "$BIN"; mv "$STAGE" "$BIN"
echo "$BIN"
