#!/usr/bin/env bash
# Starts / stops the lane's second Docker engine, the one kind runs its nodes on.
#   engine.sh start   # prints `export DOCKER_HOST=…` on stdout
#   engine.sh stop    # stops it, removes its bridges and iptables rules (keeps its data-root)
#   engine.sh purge   # stop, then delete its data-root (images, containers)
#   engine.sh status  # the guard's packet counters
# Why a second engine: see README.md here (CAP_SYS_RESOURCE, --privileged, `--bridge none`).
# Egress guard: nothing that comes in on the engine's bridges may be forwarded anywhere else, and
# the engine's DNS upstream is the kind bridge's own gateway address, where nothing listens.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${LANE_STATE_DIR:-/run/cnimatrix-lane}"
DATA="${LANE_DATA_ROOT:-/var/lib/cnimatrix-lane/docker}"
SOCK="$STATE/docker.sock"
BR0=cnml0            # the engine's default bridge (pre-created: never `--bridge none`, see README)
BR0_CIDR=172.28.0.1/24
KINDBR=cnmlkind0      # the `kind` network's bridge, pre-created as a Docker network with that name
KIND_SUBNET=172.29.0.0/16
KIND_GW=172.29.0.1
KIND_SUBNET6=fc00:f853:ccd:e793::/64
CHAIN=CNML-LANE
WRAPPER="$HERE/runc-wrapper.sh"

rules() { # $1: -I or -D
  local op=$1 t
  for t in iptables ip6tables; do
    if [[ $op == -I ]]; then
      $t -N $CHAIN 2>/dev/null || $t -F $CHAIN
      for br in $BR0 $KINDBR; do
        $t -A $CHAIN -i $br -o $br -j ACCEPT          # node <-> node on one bridge (bridged traffic is filtered)
        $t -A $CHAIN -i $br -j DROP                   # egress guard: anything else leaving a bridge
        $t -A $CHAIN -o $br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        $t -A $CHAIN -o $br -j DROP                   # nothing from elsewhere into the bridges
      done
      $t -N DOCKER-USER 2>/dev/null || true
      $t -C FORWARD -j $CHAIN 2>/dev/null || $t -I FORWARD 1 -j $CHAIN
      $t -C DOCKER-USER -j $CHAIN 2>/dev/null || $t -I DOCKER-USER 1 -j $CHAIN
      # DNS that ends on the host (the engine's upstream is the gateway): refuse it, and count it.
      $t -N $CHAIN-IN 2>/dev/null || $t -F $CHAIN-IN
      for br in $BR0 $KINDBR; do
        $t -A $CHAIN-IN -i $br -p udp --dport 53 -j REJECT
        $t -A $CHAIN-IN -i $br -p tcp --dport 53 -j REJECT --reject-with tcp-reset
      done
      $t -C INPUT -j $CHAIN-IN 2>/dev/null || $t -I INPUT 1 -j $CHAIN-IN
    else
      while $t -D FORWARD -j $CHAIN 2>/dev/null; do :; done
      while $t -D DOCKER-USER -j $CHAIN 2>/dev/null; do :; done
      while $t -D INPUT -j $CHAIN-IN 2>/dev/null; do :; done
      $t -F $CHAIN 2>/dev/null && $t -X $CHAIN 2>/dev/null || true
      $t -F $CHAIN-IN 2>/dev/null && $t -X $CHAIN-IN 2>/dev/null || true
    fi
  done
}

running() { [[ -f "$STATE/docker.pid" ]] && kill -0 "$(cat "$STATE/docker.pid")" 2>/dev/null; }

stop() {
  if running; then
    local pid; pid=$(cat "$STATE/docker.pid")
    # remove the nodes first so that no veth or bridge is left behind
    DOCKER_HOST="unix://$SOCK" docker ps -aq | xargs -r env DOCKER_HOST="unix://$SOCK" docker rm -f >/dev/null 2>&1 || true
    kill "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  for br in $KINDBR $BR0; do ip link del "$br" 2>/dev/null || true; done
  rules -D
  if [[ -f "$STATE/sysctl.saved" ]]; then sysctl -q -p "$STATE/sysctl.saved" || true; fi
  rm -rf "$STATE"
}

start() {
  running && { echo "export DOCKER_HOST=unix://$SOCK"; return; }
  mkdir -p "$STATE" "$DATA"
  trap 'echo "engine start failed; cleaning up" >&2; stop' ERR
  # kind's known-issues: inotify limits (restored by stop)
  sysctl -n fs.inotify.max_user_watches fs.inotify.max_user_instances |
    paste -d= <(printf 'fs.inotify.max_user_watches\nfs.inotify.max_user_instances\n') - >"$STATE/sysctl.saved"
  sysctl -q -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512
  rules -I   # before any bridge exists, so no packet ever passes unguarded
  ip link show $BR0 >/dev/null 2>&1 || { ip link add $BR0 type bridge; ip addr add $BR0_CIDR dev $BR0; ip link set $BR0 up; }
  nohup dockerd \
    --host "unix://$SOCK" --data-root "$DATA" --exec-root "$STATE/exec" --pidfile "$STATE/docker.pid" \
    --bridge $BR0 --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --dns $KIND_GW --cgroup-parent cnimatrix-lane \
    --add-runtime "lane-runc=$WRAPPER" --default-runtime lane-runc \
    >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 60); do DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1 && break; sleep 0.5; done
  DOCKER_HOST="unix://$SOCK" docker info >/dev/null
  # The network kind would create, pre-created so that its bridge has a name the guard knows.
  if ! DOCKER_HOST="unix://$SOCK" docker network inspect kind >/dev/null 2>&1; then
    DOCKER_HOST="unix://$SOCK" docker network create -d bridge --ipv6 \
      --subnet $KIND_SUBNET --gateway $KIND_GW --subnet $KIND_SUBNET6 \
      -o com.docker.network.bridge.name=$KINDBR -o com.docker.network.bridge.enable_ip_masquerade=false \
      -o com.docker.network.driver.mtu=1500 kind >/dev/null
  fi
  trap - ERR
  echo "export DOCKER_HOST=unix://$SOCK"
}

status() {
  for t in iptables ip6tables; do echo "== $t"; $t -nvxL $CHAIN 2>/dev/null; $t -nvxL $CHAIN-IN 2>/dev/null; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge) stop; rm -rf "$DATA" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|purge|status" >&2; exit 2 ;;
esac
