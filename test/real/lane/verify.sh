#!/usr/bin/env bash
# Proves a lane cluster works: pod <-> pod across the two workers (TCP, the source IP is the pod
# IP, i.e. no SNAT), a ClusterIP Service, the kube-proxy mode actually in effect, in-cluster DNS,
# and that a lookup of an outside name ends in the engine's local DNS sink.
#   DOCKER_HOST=… verify.sh <name> <kubeconfig>
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
BIN="${LANE_BIN:-$("$HERE/build.sh")}"
name=${1:?cluster name}; kc=${2:?kubeconfig}
AGNHOST=registry.k8s.io/e2e-test-images/agnhost:2.56
k() { "$BIN/kubectl" --kubeconfig "$kc" "$@"; }
"$BIN/kind" load docker-image "$AGNHOST" --name "$name" >&2
workers=($(k get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}'))
ns=lane-verify
k create namespace $ns >/dev/null
trap 'k delete namespace $ns --wait=false >/dev/null 2>&1 || true' EXIT
for i in 0 1; do
  k -n $ns apply -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata: {name: p$i, labels: {app: lane-verify}}
spec:
  nodeName: ${workers[$i]}
  containers:
  - name: c
    image: $AGNHOST
    imagePullPolicy: Never
    args: [netexec, --http-port=8080, --udp-port=8081]
POD
done
k -n $ns expose pod p1 --name=svc --port=80 --target-port=8080 >/dev/null
k -n $ns wait --for=condition=Ready pod/p0 pod/p1 --timeout=2m >/dev/null
ip0=$(k -n $ns get pod p0 -o jsonpath='{.status.podIP}'); ip1=$(k -n $ns get pod p1 -o jsonpath='{.status.podIP}')
echo "p0 $ip0 on ${workers[0]}, p1 $ip1 on ${workers[1]}"
k -n $ns exec p0 -- /agnhost connect "$ip1:8080" --timeout=3s && echo "pod->pod TCP across nodes: connected"
seen=$(k -n $ns exec p0 -- curl -sS -m 3 "http://$ip1:8080/clientip"); echo "p1 sees the caller as $seen"
[[ "${seen%:*}" == "$ip0" ]] && echo "no SNAT: source is p0's pod IP" || { echo "SNAT: expected $ip0" >&2; exit 1; }
k -n $ns exec p0 -- curl -sS -m 3 http://svc.$ns.svc.cluster.local/hostname && echo " <- ClusterIP via DNS name"
for n in $("$BIN/kind" get nodes --name "$name"); do
  echo "$n kube-proxy mode: $(docker exec "$n" curl -s 127.0.0.1:10249/proxyMode)"
done
before=$(iptables -nvxL CNML-LANE-IN | awk '/cnmlkind0.*udp/{print $1}')
k -n $ns exec p0 -- dig +time=2 +tries=1 registry.k8s.io | grep -E "status|SERVER" || true
after=$(iptables -nvxL CNML-LANE-IN | awk '/cnmlkind0.*udp/{print $1}')
echo "outside lookup: local DNS sink (host REJECT on the kind bridge) counted $((after - before)) more queries"
"$HERE/engine.sh" status | awk '/DROP/ && $1 != 0'
