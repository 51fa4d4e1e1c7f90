#!/usr/bin/env bash
# Exports kindnetd's source (kind's images/kindnetd, a nested Go module that the Go proxy does not
# serve) from a git clone of kubernetes-sigs/kind at tag v0.31.0 into
# ~/.cache/cnimatrix/lane/src/kindnetd-v0.31.0 and prints that folder (use it as KINDNETD_SRC).
#   kindnetd-src.sh <kind git dir>
# v0.31.0, not kind v0.33.0's 69b56db7: the latter needs kube-network-policies at a pseudo-version
# the proxy does not serve; the two differ only in that library's API (see README.md).
set -euo pipefail
GIT="${1:?usage: $0 <git dir of a kubernetes-sigs/kind clone>}"
TAG=v0.31.0
OUT="${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}/lane/src/kindnetd-$TAG"
if [[ ! -f "$OUT/go.mod" ]]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  git --git-dir="$GIT" archive "$TAG" images/kindnetd | tar -x -C "$tmp"
  mkdir -p "$(dirname "$OUT")"; rm -rf "$OUT"; mv "$tmp/images/kindnetd" "$OUT"
fi
echo "$OUT"
