#!/usr/bin/env bash
# Assembles the lane's kind node image without any registry, on the engine DOCKER_HOST names:
#   DOCKER_HOST=… KINDNETD_SRC=… node-image.sh [tag]     (default cnimatrix/kind-node:v1.34.4-local)
# 1. component images (kube-apiserver … pause, kindnetd) from the built binaries, each named exactly
#    as `kubeadm config images list --kubernetes-version v1.34.4` / kind's CNI manifest name them,
#    saved into one archive the node imports into its containerd at boot, before kubelet starts;
# 2. the node: the debootstrap rootfs + kind v0.33.0's images/base/files (read from the Go module
#    cache, adapted for Debian's containerd 1.6) + the binaries + that archive.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TAG="${1:-cnimatrix/kind-node:v1.34.4-local}"
K8S_VERSION=v1.34.4
: "${DOCKER_HOST:?set DOCKER_HOST to the lane engine (engine.sh start)}"
BIN=$("$HERE/build.sh")
ROOTFS=$("$HERE/rootfs.sh")
# Without kindnetd (KINDNETD_SRC unset, as in CI) the image serves cells whose CNI is installed by
# the product (disableDefaultCNI): kind applies its default-cni.yaml only for kindnet cells.
[[ -x "$BIN/kindnetd" ]] || echo "no kindnetd in $BIN (KINDNETD_SRC unset): this node image cannot run kindnet cells" >&2
KIND_MOD=$(cd "$HERE/build/k8s" && go list -m -f '{{.Dir}}' sigs.k8s.io/kind)
KIND_FILES="$KIND_MOD/images/base/files"
REAL_BIN="${CNIMATRIX_REAL_BIN:-$(ls -d "${CNIMATRIX_CACHE_DIR:-$HOME/.cache/cnimatrix}"/real/*/bin | head -1)}"
# Same binaries, rootfs and scripts as the image there is: nothing to do.
KEY=$(printf '%s\n' "$BIN" "$ROOTFS" "$REAL_BIN" | cat - "$HERE/node-image.sh" "$HERE/netbase.sh" | sha256sum | cut -c1-16)
if [[ "$(docker image inspect -f '{{index .Config.Labels "cnimatrix.lane.key"}}' "$TAG" 2>/dev/null)" == "$KEY" ]]; then
  echo "node image $TAG is up to date" >&2; echo "$TAG"; exit 0
fi
KINDNETD_IMAGE=$(sed -n 's/^const kindnetdImage = "\(.*\)"$/\1/p' "$KIND_MOD/pkg/build/nodeimage/const_cni.go")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lane-node.XXXX")
trap 'rm -rf "$WORK"; docker rmi -f lane-tmp/node:raw >/dev/null 2>&1 || true' EXIT
start=$(date +%s)

# ---- component images --------------------------------------------------------------------------
image_list=$("$BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION")
name_of() { grep -E "/$1:" <<<"$image_list"; }
built=()
static_image() { # $1: final name, $2: binary, $3: path in image, $4: entrypoint JSON
  local ctx="$WORK/img-$(basename "$3")"
  mkdir -p "$ctx"; cp "$2" "$ctx/bin"
  docker build -q -t "$1" -f - "$ctx" >/dev/null <<DOCKERFILE
FROM scratch
COPY bin $3
ENV PATH=/usr/local/bin:/usr/bin:/bin
ENTRYPOINT $4
DOCKERFILE
  built+=("$1")
}
static_image "$(name_of kube-apiserver)" "$REAL_BIN/kube-apiserver" /usr/local/bin/kube-apiserver '["/usr/local/bin/kube-apiserver"]'
static_image "$(name_of kube-controller-manager)" "$REAL_BIN/kube-controller-manager" /usr/local/bin/kube-controller-manager '["/usr/local/bin/kube-controller-manager"]'
static_image "$(name_of kube-scheduler)" "$REAL_BIN/kube-scheduler" /usr/local/bin/kube-scheduler '["/usr/local/bin/kube-scheduler"]'
static_image "$(name_of etcd)" "$REAL_BIN/etcd" /usr/local/bin/etcd '["/usr/local/bin/etcd"]'
static_image "$(name_of coredns)" "$BIN/coredns" /coredns '["/coredns"]'
static_image "$(name_of pause)" "$BIN/pause" /pause '["/pause"]'
# kube-proxy and kindnetd need iptables/nft/conntrack: netbase.sh's Debian layer.
NETBASE=$("$HERE/netbase.sh")
mkdir -p "$WORK/img-net"; cp "$BIN/kube-proxy" "$WORK/img-net/"
docker build -q -t "$(name_of kube-proxy)" -f - "$WORK/img-net" >/dev/null <<DOCKERFILE
FROM $NETBASE
COPY kube-proxy /usr/local/bin/kube-proxy
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/usr/local/bin/kube-proxy"]
DOCKERFILE
built+=("$(name_of kube-proxy)")
if [[ -x "$BIN/kindnetd" ]]; then
  cp "$BIN/kindnetd" "$WORK/img-net/"
  docker build -q -t "$KINDNETD_IMAGE" -f - "$WORK/img-net" >/dev/null <<DOCKERFILE
FROM $NETBASE
COPY kindnetd /bin/kindnetd
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/kindnetd"]
DOCKERFILE
  built+=("$KINDNETD_IMAGE")
fi

# ---- the node ----------------------------------------------------------------------------------
R="$WORK/node"
mkdir -p "$R"
tar -C "$R" -xf "$ROOTFS"
# kind's base files, as its Dockerfile lays them out
install -m 0755 "$KIND_FILES/usr/local/bin/entrypoint" "$R/usr/local/bin/entrypoint"
cp -r "$KIND_FILES/kind" "$R/kind"; chmod 0755 "$R/kind" "$R/kind/bin" "$R/kind/bin/"*
mkdir -p "$R/etc/containerd" "$R/etc/default" "$R/etc/sysctl.d" "$R/etc/systemd/system/kubelet.service.d"
for f in crictl.yaml containerd/config.toml default/kubelet sysctl.d/10-network-security.conf sysctl.d/10-network-magic.conf \
  systemd/system/kubelet.slice systemd/system/undo-mount-hacks.service systemd/system/kubelet.service \
  systemd/system/containerd.service systemd/system/kubelet.service.d/10-kubeadm.conf systemd/system/kubelet.service.d/11-kind.conf; do
  install -m 0644 "$KIND_FILES/etc/$f" "$R/etc/$f"
done
# Debian's containerd 1.6 lives in /usr/bin (kind builds its own into /usr/local/bin).
sed -i 's#^ExecStart=/usr/local/bin/containerd#ExecStart=/usr/bin/containerd#' "$R/etc/systemd/system/containerd.service"
# containerd config: no fuse-overlayfs proxy plugin (not installed), no cri-base.json (kind makes it
# with `ctr oci spec` at image build), restrict_oom_score_adj (no CAP_SYS_RESOURCE on this VM),
# kubeadm's pause image as the sandbox image.
sed -i -e '/^\[proxy_plugins\]/,/^  address = /d' -e '/base_runtime_spec/d' \
  -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' \
  -e "s#sandbox_image = .*#sandbox_image = \"$(name_of pause)\"#" "$R/etc/containerd/config.toml"
install -m 0755 "$BIN/kubelet" "$BIN/kubeadm" "$BIN/kubectl" "$R/usr/bin/"
install -m 0755 "$BIN/crictl" "$R/usr/local/bin/crictl"
mkdir -p "$R/opt/cni/bin" "$R/etc/cni/net.d" "$R/etc/kubernetes/manifests" "$R/kind/manifests" "$R/kind/images"
install -m 0755 "$BIN"/{host-local,loopback,ptp,portmap,bridge} "$R/opt/cni/bin/"
printf '%s' "$K8S_VERSION" >"$R/kind/version"
awk '/^const defaultCNIManifest = `/{f=1;next} f&&/^`/{exit} f' "$KIND_MOD/pkg/build/nodeimage/const_cni.go" |
  sed "s#\` + kindnetdImage + \`#$KINDNETD_IMAGE#" >"$R/kind/manifests/default-cni.yaml"
docker save -o "$R/kind/images/images.tar" "${built[@]}"
printf '%s\n' "${built[@]}" >"$R/kind/images/list"
# import them into containerd before kubelet can start (kind's own build imports at build time)
cat >"$R/etc/systemd/system/lane-import-images.service" <<'UNIT'
[Unit]
Description=Import the node's pre-loaded images into containerd (cnimatrix lane)
After=containerd.service
Requires=containerd.service
Before=kubelet.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'until ctr version >/dev/null 2>&1; do sleep 0.2; done; ctr -n k8s.io images import /kind/images/images.tar'
[Install]
WantedBy=multi-user.target
UNIT
printf '[Unit]\nWants=lane-import-images.service\nAfter=lane-import-images.service\n' >"$R/etc/systemd/system/kubelet.service.d/20-lane.conf"
# what kind's Dockerfile does to systemd
find "$R/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
rm -f "$R"/lib/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/*.wants/* \
  "$R"/lib/systemd/system/local-fs.target.wants/* "$R"/lib/systemd/system/sockets.target.wants/*udev* \
  "$R"/lib/systemd/system/sockets.target.wants/*initctl* "$R"/lib/systemd/system/basic.target.wants/*
echo "ReadKMsg=no" >>"$R/etc/systemd/journald.conf"
chroot "$R" systemctl enable kubelet.service containerd.service undo-mount-hacks.service lane-import-images.service >/dev/null 2>&1
chroot "$R" systemctl mask systemd-binfmt.service >/dev/null 2>&1
[[ -e "$R/usr/sbin/init" ]] || { echo "rootfs lacks /sbin/init (systemd-sysv)" >&2; exit 1; }
: >"$R/etc/machine-id"
tar -C "$R" --numeric-owner -c . | docker import - lane-tmp/node:raw >/dev/null
docker build -q -t "$TAG" - >/dev/null <<DOCKERFILE
FROM lane-tmp/node:raw
LABEL cnimatrix.lane.key=$KEY
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
DOCKERFILE
echo "node image $TAG built in $(( $(date +%s) - start ))s ($(docker image inspect -f '{{.Size}}' "$TAG" | numfmt --to=iec))" >&2
echo "$TAG"
