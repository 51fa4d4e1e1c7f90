#!/usr/bin/env bash
# Default runtime of the lane's second dockerd: runc, minus CAP_SYS_RESOURCE.
# This VM's capability bounding set lacks CAP_SYS_RESOURCE, and Docker 20.10 hands privileged
# containers (kind nodes) and `docker exec --privileged` its whole static capability list, so runc
# fails with "unable to apply caps". The capability is dropped from the OCI bundle's config.json
# for `runc create` and from the process JSON of `runc exec --process FILE`; all else is runc's.
set -euo pipefail
RUNC="${LANE_REAL_RUNC:-/usr/sbin/runc}"
strip() { # $1: JSON file, $2: jq path of the capabilities object
  [[ -f "$1" ]] || return 0
  local tmp="$1.lane.$$"
  jq "if $2 then $2 |= with_entries(.value |= map(select(. != \"CAP_SYS_RESOURCE\"))) else . end" "$1" >"$tmp"
  mv "$tmp" "$1"
}
cmd="" bundle="" process=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a="${args[i]}"
  case "$a" in
    create | exec | run) [[ -z "$cmd" ]] && cmd="$a" ;;
    --bundle | -b) bundle="${args[i + 1]:-}" ;;
    --bundle=*) bundle="${a#--bundle=}" ;;
    --process | -p) process="${args[i + 1]:-}" ;;
    --process=*) process="${a#--process=}" ;;
  esac
done
case "$cmd" in
  create | run) strip "${bundle:-.}/config.json" .process.capabilities ;;
  exec) [[ -n "$process" ]] && strip "$process" .capabilities ;;
esac
exec "$RUNC" "$@"
