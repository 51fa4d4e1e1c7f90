#!/usr/bin/env bash
# Builds the local images the docker-backed tests use, without pulling anything: a root filesystem
# is assembled from this machine's own binaries and imported with `docker import`.
#
#   cnimatrix/curl:local  curl (+ its shared libraries) and busybox: /bin/sh, sleep, httpd, ...
#                         Used as the external client (CNIMATRIX_EXTERNAL_CLIENT_IMAGE) and, with
#                         `busybox httpd`, as the tiny HTTP server the tests curl.
#
# Idempotent: the image is labelled with a hash of its inputs and rebuilt only when they change.
# Run the tests with TESTCONTAINERS_RYUK_DISABLED=true (the reaper image cannot be pulled offline).
set -euo pipefail

IMAGE="${CNIMATRIX_TEST_CURL_IMAGE:-cnimatrix/curl:local}"
CURL_BIN="$(command -v curl || true)"
[[ -n "$CURL_BIN" ]] || { echo "build-images: curl is not installed on this machine (apt-get install -y curl)" >&2; exit 3; }
docker info >/dev/null 2>&1 || { echo "build-images: the Docker engine is unreachable (is dockerd running?)" >&2; exit 3; }

BUSYBOX=""
for candidate in /bin/busybox /usr/bin/busybox; do
  # A static binary has no shared libraries for ldd to list (and `file` may not be installed).
  if [[ -x "$candidate" ]] && ! ldd "$candidate" >/dev/null 2>&1; then BUSYBOX="$candidate"; break; fi
done
if [[ -z "$BUSYBOX" ]]; then
  apt-get update -qq >/dev/null
  apt-get install -y -qq busybox-static >/dev/null
  BUSYBOX=/bin/busybox
fi

# The image's inputs: curl, its libraries, busybox. Same inputs -> same fingerprint -> no rebuild.
mapfile -t LIBS < <(ldd "$CURL_BIN" | awk '/=>/ && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
FINGERPRINT="$(sha256sum "$CURL_BIN" "$BUSYBOX" "${LIBS[@]}" "$0" | sha256sum | cut -c1-16)"
if [[ "$(docker image inspect -f '{{ index .Config.Labels "cnimatrix.io/inputs" }}' "$IMAGE" 2>/dev/null || true)" == "$FINGERPRINT" ]]; then
  echo "build-images: $IMAGE is up to date ($FINGERPRINT)"
  exit 0
fi

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,usr/bin,etc,tmp,www/cgi-bin,etc/ssl/certs}
chmod 1777 "$ROOT/tmp"
cp "$CURL_BIN" "$ROOT/usr/bin/curl"
for lib in "${LIBS[@]}"; do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done
# glibc resolves names through NSS modules loaded at run time (not listed by ldd).
for nss in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2; do
  [[ -e "$nss" ]] && { mkdir -p "$ROOT$(dirname "$nss")"; cp -L "$nss" "$ROOT$nss"; }
done
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in sh sleep cat head tr base64 printf hostname httpd ip echo wc env; do
  ln -s busybox "$ROOT/bin/$applet"
done
printf 'hosts: files dns\n' >"$ROOT/etc/nsswitch.conf"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
# /clientip answers like agnhost netexec: the caller's ip:port as this server saw it.
cat >"$ROOT/www/cgi-bin/clientip" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n%s:%s' "$REMOTE_ADDR" "$REMOTE_PORT"
CGI
chmod 755 "$ROOT/www/cgi-bin/clientip"
printf 'cnimatrix test server\n' >"$ROOT/www/index.html"

tar -C "$ROOT" -c . | docker import \
  --change 'ENV PATH=/usr/bin:/bin' \
  --change "LABEL cnimatrix.io/inputs=$FINGERPRINT" \
  --change 'CMD ["/bin/sh", "-c", "trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]' \
  - "$IMAGE" >/dev/null
echo "build-images: built $IMAGE ($FINGERPRINT)"
