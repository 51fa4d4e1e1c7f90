#!/usr/bin/env bash
# Creates or deletes one 3-node kind cluster (1 control-plane + 2 workers, kind's default kindnet)
# on the lane engine and waits until every node is Ready and CoreDNS is Available.
#   DOCKER_HOST=… cluster.sh create <name> <iptables|nftables> [image]
#   DOCKER_HOST=… cluster.sh delete <name>
# A failed create deletes the cluster (after `kind export logs` into $LANE_LOGS if set).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
BIN="${LANE_BIN:-$("$HERE/build.sh")}"
KIND="$BIN/kind"
cmd=${1:?create|delete}; name=${2:?cluster name}
kc="${TMPDIR:-/tmp}/lane-$name.kubeconfig"
case "$cmd" in
  delete) "$KIND" delete cluster --name "$name"; rm -f "$kc"; exit 0 ;;
  create) ;;
  *) echo "usage: $0 create|delete <name> …" >&2; exit 2 ;;
esac
mode=${3:?proxy mode}; image=${4:-cnimatrix/kind-node:v1.34.4-local}
fail() {
  echo "create failed" >&2
  [[ -n "${LANE_LOGS:-}" ]] && "$KIND" export logs "$LANE_LOGS/$name" --name "$name" >&2 || true
  "$KIND" delete cluster --name "$name" >&2 || true
  exit 1
}
trap fail ERR
t0=$(date +%s)
"$KIND" create cluster --name "$name" --image "$image" --kubeconfig "$kc" --wait 5m --config - <<CONFIG
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  kubeProxyMode: $mode
nodes:
- role: control-plane
- role: worker
- role: worker
CONFIG
t1=$(date +%s)
k() { "$BIN/kubectl" --kubeconfig "$kc" "$@"; }
k wait --for=condition=Ready nodes --all --timeout=5m
k -n kube-system rollout status ds/kindnet --timeout=5m
k -n kube-system wait --for=condition=Available deploy/coredns --timeout=5m
t2=$(date +%s)
trap - ERR
echo "cluster $name ($mode): kind create ${t0:+$((t1 - t0))}s, all Ready + CoreDNS Available after $((t2 - t0))s; kubeconfig $kc" >&2
docker stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.CPUPerc}}' $(docker ps -q --filter "label=io.x-k8s.kind.cluster=$name") >&2
echo "$kc"
