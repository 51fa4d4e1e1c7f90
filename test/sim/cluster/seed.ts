// What `kind create cluster` leaves in a new cluster, derived from its v1alpha4 config: nodes
// (NotReady until a CNI runs), system namespaces, kube-proxy (unless mode none), CoreDNS with
// kubeadm's Corefile, kindnet (unless disableDefaultCNI) and the local-path provisioner.
import type { KubeObject } from '../apiserver/index.ts';
import { imageVersion, type KindConfig } from '../kind/config.ts';

export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.13.1';
export const KINDNET_IMAGE = 'docker.io/kindest/kindnetd:v20260801-1a2b3c4d';
export const NODE_NETWORK_PREFIX = '172.18.0.';

/** kubeadm's Corefile, as kind installs it. */
export const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The n-th host address of a v4 CIDR (n=1 → first address after the network address). */
export function nthAddress(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  return intToIpv4(ipv4ToInt(base!) + n);
}

/** The /24 the controller manager allocates to the i-th node from the pod subnet. */
export function nodePodCidr(podSubnet: string, index: number): string {
  const [base] = podSubnet.split(',')[0]!.split('/');
  return `${intToIpv4(ipv4ToInt(base!) + index * 256)}/24`;
}

/** A node's /64 of a dual-stack pod subnet's IPv6 part (fd00:10:244::/56 → fd00:10:244:1::/64 for node 1); none when single-stack. */
export function nodePodCidrV6(podSubnet: string, index: number): string | undefined {
  const v6 = podSubnet.split(',').map((s) => s.trim()).find((s) => s.includes(':'));
  if (v6 === undefined) return undefined;
  const prefix = v6.split('/')[0]!.replace(/::$/, '');
  return index === 0 ? `${prefix}::/64` : `${prefix}:${index.toString(16)}::/64`;
}

export interface SeedInput {
  clusterName: string;
  config: KindConfig;
  nodeNames: string[];
  /** InternalIPs in node order; default 172.18.0.2, .3, … (addresses only the API knows). */
  nodeIps?: string[];
}

function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } };
}

function nodes(input: SeedInput): KubeObject[] {
  const { config, nodeNames } = input;
  const hasWorkers = config.nodes.some((n) => n.role === 'worker');
  return config.nodes.map((node, i) => {
    const name = nodeNames[i]!;
    const controlPlane = node.role === 'control-plane';
    const version = imageVersion(node.image);
    const podCIDR = nodePodCidr(config.networking.podSubnet, i);
    const podCIDRv6 = nodePodCidrV6(config.networking.podSubnet, i);
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
          ...node.labels,
        },
      },
      spec: {
        podCIDR,
        podCIDRs: podCIDRv6 === undefined ? [podCIDR] : [podCIDR, podCIDRv6],
        providerID: `kind://docker/${input.clusterName}/${name}`,
        // kind removes the control-plane taint when the cluster has no workers.
        ...(controlPlane && hasWorkers ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
      },
      status: {
        addresses: [
          { type: 'InternalIP', address: input.nodeIps?.[i] ?? `${NODE_NETWORK_PREFIX}${i + 2}` },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: {
          architecture: 'amd64',
          containerRuntimeVersion: 'containerd://2.2.0',
          kernelVersion: '6.8.0-sim',
          kubeProxyVersion: version,
          kubeletVersion: version,
          operatingSystem: 'linux',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
        },
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          },
        ],
      },
    };
  });
}

function daemonSet(name: string, labels: Record<string, string>, podSpec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical', ...podSpec },
      },
    },
  };
}

function kubeProxy(input: SeedInput): KubeObject[] {
  const mode = input.config.networking.kubeProxyMode;
  if (mode === 'none') return [];
  const version = imageVersion(input.config.nodes[0]!.image);
  const conf = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'kind: KubeProxyConfiguration',
    `clusterCIDR: ${input.config.networking.podSubnet}`,
    'conntrack:',
    '  maxPerCore: 0',
    'iptables:',
    '  minSyncPeriod: 1s',
    'metricsBindAddress: ""',
    `mode: ${mode}`,
    '',
  ].join('\n');
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
      data: { 'config.conf': conf, 'kubeconfig.conf': 'apiVersion: v1\nkind: Config\n' },
    },
    daemonSet('kube-proxy', { 'k8s-app': 'kube-proxy' }, {
      serviceAccountName: 'kube-proxy',
      containers: [
        {
          name: 'kube-proxy',
          image: `registry.k8s.io/kube-proxy:${version}`,
          command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
          securityContext: { privileged: true },
        },
      ],
    }),
  ];
}

function coreDns(input: SeedInput): KubeObject[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const dnsIp = nthAddress(input.config.networking.serviceSubnet.split(',')[0]!, 10);
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: COREFILE } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
            containers: [
              {
                name: 'coredns',
                image: COREDNS_IMAGE,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' } },
      spec: {
        clusterIP: dnsIp,
        clusterIPs: [dnsIp],
        selector: labels,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  ];
}

function kindnet(input: SeedInput): KubeObject[] {
  if (input.config.networking.disableDefaultCNI) return [];
  return [
    daemonSet('kindnet', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }, {
      serviceAccountName: 'kindnet',
      containers: [
        {
          name: 'kindnet-cni',
          image: KINDNET_IMAGE,
          env: [{ name: 'POD_SUBNET', value: input.config.networking.podSubnet }],
          securityContext: { capabilities: { add: ['NET_RAW', 'NET_ADMIN'] } },
        },
      ],
      volumes: [{ name: 'cni-cfg', hostPath: { path: '/etc/cni/net.d', type: 'DirectoryOrCreate' } }],
    }),
  ];
}

function localPath(): KubeObject[] {
  const labels = { app: 'local-path-provisioner' };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'local-path-provisioner', namespace: 'local-path-storage' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', effect: 'NoSchedule' }],
            containers: [{ name: 'local-path-provisioner', image: 'docker.io/kindest/local-path-provisioner:v20260801-sim' }],
          },
        },
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  ];
}

/** Every object a new kind cluster has, in apply order. */
export function seedObjects(input: SeedInput): KubeObject[] {
  return [
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'].map(namespace),
    ...nodes(input),
    ...kubeProxy(input),
    ...coreDns(input),
    ...kindnet(input),
    ...localPath(),
  ];
}
