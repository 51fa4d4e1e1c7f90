import { describe, expect, test } from '@jest/globals';
import YAML from 'yaml';
import { ciliumInstallStep, ciliumValues } from '../../clusters/cilium.ts';
import { profileFor, profiles } from '../../clusters/index.ts';
import { ingressNginx } from '../../clusters/ingress/ingress-nginx.ts';
import type { ApplyManifestStep } from '../../clusters/install-step.ts';
import type { ProfileContext } from '../../clusters/profile.ts';
import { proxyModes } from '../../clusters/proxy-modes.ts';
import { isUnverified } from '../../clusters/pin.ts';
import { allPins, ciliumCliTarballs, cniPluginsTarballs, manifestPins } from '../../clusters/versions.ts';
import { CAPABILITIES, CNI_NAMES, PROXY_MODES, type ProxyMode } from '../../harness/model/cell.ts';
import { applyTransforms } from '../../harness/manifests/index.ts';
import { simCapabilities } from '../sim/harness.ts';

const ctx = (mode: ProxyMode, podSubnet = '10.244.0.0/16'): ProfileContext => ({ clusterName: 'cnimatrix-r1-x', proxyMode: mode, podSubnet, arch: 'amd64' });
const manifestSteps = (steps: { kind: string }[]) => steps.filter((s): s is ApplyManifestStep => s.kind === 'applyManifest');

describe('profile registry', () => {
  test('has one profile per CNI, keyed by its own name', () => {
    expect(Object.keys(profiles).sort()).toEqual([...CNI_NAMES].sort());
    for (const name of CNI_NAMES) expect(profileFor(name).name).toBe(name);
  });

  test('an unknown CNI is bad input listing the valid ones', () => {
    expect(() => profileFor('canal')).toThrow('unknown CNI "canal"');
  });
});

describe.each(CNI_NAMES.map((n) => [n]))('%s profile', (name) => {
  const profile = profiles[name];

  test('decides every proxy mode, with a reason when unsupported and known capabilities when supported', () => {
    for (const mode of PROXY_MODES) {
      const support = profile.proxyModes[mode];
      if (support.supported) {
        for (const c of support.capabilities) expect(CAPABILITIES).toContain(c);
        expect(support.capabilities.includes('kubeProxyReplacement')).toBe(mode === 'none');
      } else {
        expect(support.reason.length).toBeGreaterThan(20);
      }
    }
  });

  test('installs only manifests it declares, each pinned with a well-formed sha256', () => {
    for (const mode of PROXY_MODES) {
      for (const step of manifestSteps(profile.installSteps(ctx(mode, profile.kind.podSubnet)))) {
        expect(profile.manifests).toContainEqual(step.manifest);
      }
    }
    for (const pin of profile.manifests) expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a non-default CNI disables kindnet; every node mount names a prepare step', () => {
    expect(profile.kind.disableDefaultCNI).toBe(name !== 'kindnet');
    const prepared = profile.prepare(ctx('iptables')).map((s) => s.id);
    for (const mount of profile.kind.nodeMounts) expect(prepared).toContain(mount.prepared);
  });

  test('has readiness checks and diagnostics', () => {
    expect(profile.readiness.length).toBeGreaterThan(0);
    expect(profile.diagnostics.length).toBeGreaterThan(0);
  });
});

describe('known fixes are in the data', () => {
  test('flannel mounts the extracted bridge plugin read-only at /opt/cni/bin/bridge and needs br_netfilter', () => {
    expect(profiles.flannel.kind.nodeMounts).toEqual([{ prepared: 'cni-bridge-plugin', containerPath: '/opt/cni/bin/bridge', readOnly: true }]);
    const [step] = profiles.flannel.prepare(ctx('iptables'));
    expect(step?.archive.url).toMatch(/containernetworking\/plugins\/releases\/download\/v1\.\d+\.\d+\/cni-plugins-linux-amd64-v1\.\d+\.\d+\.tgz$/);
    expect(profiles.flannel.hostPrereqs).toContainEqual(expect.objectContaining({ module: 'br_netfilter' }));
  });

  test('calico creates (not applies) its operator manifests and uses 192.168.0.0/16', () => {
    expect(profiles.calico.manifests.map((m) => m.mode)).toEqual(['create', 'create']);
    expect(profiles.calico.kind.podSubnet).toBe('192.168.0.0/16');
  });

  test('weave is legacy and says which source it uses and why', () => {
    expect(profiles.weave.legacy?.source).toMatch(/rajch\/weave v2\.9\.0/);
    expect(profiles.weave.legacy?.source).toMatch(/v2\.8\.1 breaks with iptables-nft/);
    // The v2.9.0 tag's commit, so the pinned bytes cannot move.
    expect(manifestPins.weave.url).toBe('https://raw.githubusercontent.com/rajch/weave/8397222003c0d8ca2bebf0ac5c64448a4796dd18/prog/weave-kube/weave-daemonset-k8s-1.11.yaml');
  });

  test('ingress-nginx is marked retired and pinned to controller-v1.15.1', () => {
    expect(ingressNginx.retired?.announced).toBe('2025-11-11');
    expect(ingressNginx.retired?.successor).toMatch(/cloud-provider-kind >= v0\.9\.0/);
    expect(manifestPins.ingressNginx.url).toBe(
      'https://raw.githubusercontent.com/kubernetes/ingress-nginx/0a5901f3c64f11e92e487799b8da3f00cca37515/deploy/static/provider/kind/deploy.yaml',
    );
    expect(ingressNginx.ingressClass).toBe('nginx');
  });

  test('proxy-mode facts: ipvs warning text, nftables minimums, none runs no kube-proxy', () => {
    expect(proxyModes.ipvs.warnings).toContain('ipvs: deprecated since Kubernetes 1.35; needs ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack on the host');
    expect(proxyModes.nftables.minKubernetes).toBe('1.31');
    expect(proxyModes.nftables.hostPrereqs).toContainEqual(expect.objectContaining({ kind: 'kernelVersion', min: '5.13' }));
    expect(proxyModes.none.runsKubeProxy).toBe(false);
  });

  test('allPins lists every manifest and tarball once', () => {
    const ids = allPins().map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['flannel', 'cilium-cli-amd64', 'weave', 'ingress-nginx', 'calico-operator-crds', 'cni-plugins-amd64']));
  });

  test('every pin says how its sha256 was obtained (printed by `pins verify`)', () => {
    for (const pin of allPins()) expect({ id: pin.id, provenance: pin.provenance }).toEqual({ id: pin.id, provenance: expect.stringMatching(/\S{3}/) });
  });

  test('every manifest pin names a commit, not a movable tag, and holds a recorded sha256', () => {
    for (const pin of Object.values(manifestPins)) {
      expect(pin.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
      expect(pin.sha256).toMatch(/^(?!0{64})[0-9a-f]{64}$/);
    }
  });

  test('a tarball pin without a recorded sha256 names where a user reads it', () => {
    for (const pin of [...Object.values(cniPluginsTarballs), ...Object.values(ciliumCliTarballs)]) {
      if (isUnverified(pin)) expect(pin.checksumSource).toMatch(/^https:\/\/.+\.sha256sum$/);
    }
  });
});

// Fixtures shaped like the upstream objects the transforms target.
const parse = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);

describe('profile transforms against upstream-shaped manifests', () => {
  test('cilium none: cilium install with the replacement on and the API server at <cluster>-control-plane:6443', () => {
    const step = ciliumInstallStep(ctx('none'));
    expect(step.tool).toBe('cilium-cli');
    expect(step.args.slice(0, 3)).toEqual(['install', '--version=1.19.6', '--wait=false']);
    expect(step.args).toEqual(expect.arrayContaining(['--set', 'kubeProxyReplacement=true', '--set', 'k8sServiceHost=cnimatrix-r1-x-control-plane', '--set', 'k8sServicePort=6443']));
    // The replacement serves hostPorts itself: no portmap chaining.
    expect(ciliumValues(ctx('none'))['cni.chainingMode']).toBeUndefined();
  });

  test('cilium with kube-proxy: replacement off, portmap chained for hostPort, no API server override', () => {
    // hostPort (the ingress controller's 80/443) needs the portmap plugin chained when kube-proxy runs.
    for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
      const values = ciliumValues(ctx(mode));
      expect(values).toMatchObject({ kubeProxyReplacement: 'false', 'cni.chainingMode': 'portmap', 'ipam.mode': 'kubernetes' });
      expect(values['k8sServiceHost']).toBeUndefined();
    }
  });

  test('cilium-cli comes from its pinned release tarball, extracted like the bridge plugin', () => {
    const [prepare] = profiles.cilium.prepare(ctx('iptables'));
    expect(prepare).toMatchObject({ id: 'cilium-cli', member: 'cilium', archive: { url: 'https://github.com/cilium/cilium-cli/releases/download/v0.19.7/cilium-linux-amd64.tar.gz' } });
    expect(prepare?.archive.checksumSource).toBe('https://github.com/cilium/cilium-cli/releases/download/v0.19.7/cilium-linux-amd64.tar.gz.sha256sum');
  });

  test('flannel: Network follows podSubnet; EnableNFTables only in nftables mode', () => {
    const fixture = `apiVersion: v1
kind: ConfigMap
metadata: { name: kube-flannel-cfg, namespace: kube-flannel }
data:
  net-conf.json: |
    { "Network": "10.244.0.0/16", "EnableNFTables": false, "Backend": { "Type": "vxlan" } }
`;
    const conf = (mode: ProxyMode) => {
      const [step] = manifestSteps(profiles.flannel.installSteps(ctx(mode, '10.250.0.0/16')));
      return JSON.parse(parse(applyTransforms(fixture, step?.transforms ?? []))[0]?.['data']['net-conf.json']);
    };
    expect(conf('nftables')).toEqual({ Network: '10.250.0.0/16', EnableNFTables: true, Backend: { Type: 'vxlan' } });
    expect(conf('iptables')).toEqual({ Network: '10.250.0.0/16', EnableNFTables: false, Backend: { Type: 'vxlan' } });
  });

  test('weave: the List unwrapped, release image tags, IfNotPresent, IPALLOC_RANGE on the weave container only', () => {
    // As the pinned template ships it: one kind: List, images at :latest with imagePullPolicy Always.
    const fixture = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: { name: weave-net, namespace: kube-system }
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: { name: weave-net, namespace: kube-system }
    spec:
      template:
        spec:
          initContainers:
            - name: weave-init
              image: 'rajchaudhuri/weave-kube:latest'
              imagePullPolicy: Always
              env:
          containers:
            - name: weave
              image: 'rajchaudhuri/weave-kube:latest'
              imagePullPolicy: Always
              env: [{ name: INIT_CONTAINER, value: "true" }]
            - name: weave-npc
              image: 'rajchaudhuri/weave-npc:latest'
              imagePullPolicy: Always
`;
    const [step] = manifestSteps(profiles.weave.installSteps(ctx('iptables')));
    const [sa, ds] = parse(applyTransforms(fixture, step?.transforms ?? []));
    expect(sa?.['kind']).toBe('ServiceAccount');
    const pod = ds?.['spec']['template']['spec'];
    const containers = pod['containers'];
    expect(containers[0]['env']).toEqual([{ name: 'INIT_CONTAINER', value: 'true' }, { name: 'IPALLOC_RANGE', value: '10.244.0.0/16' }]);
    expect(containers[1]['env']).toBeUndefined();
    const all = [...pod['initContainers'], ...containers];
    expect(all.map((c: { image: string }) => c.image)).toEqual(['rajchaudhuri/weave-kube:2.9.0', 'rajchaudhuri/weave-kube:2.9.0', 'rajchaudhuri/weave-npc:2.9.0']);
    expect(all.every((c: { imagePullPolicy: string }) => c.imagePullPolicy === 'IfNotPresent')).toBe(true);
  });

  test('ingress-nginx: controller pinned to the ingress-ready node', () => {
    const fixture = `apiVersion: apps/v1
kind: Deployment
metadata: { name: ingress-nginx-controller, namespace: ingress-nginx }
spec:
  template:
    spec:
      nodeSelector: { kubernetes.io/os: linux }
      containers: [{ name: controller, image: registry.k8s.io/ingress-nginx/controller:v1.15.1 }]
`;
    const [step] = manifestSteps(ingressNginx.installSteps);
    const [deploy] = parse(applyTransforms(fixture, step?.transforms ?? []));
    expect(deploy?.['spec']['template']['spec']['nodeSelector']).toEqual({ 'kubernetes.io/os': 'linux', 'ingress-ready': 'true' });
  });
});

describe('ipBlockMatchesPodIPs', () => {
  // Cilium's CIDR selectors never match pods (clusters/cilium.ts); the sim's cells must say the same,
  // or its e2e tests would prove a Cilium cell's verdicts on claims the real profile does not make.
  test('is declared with networkPolicy by every CNI but Cilium, in every mode, and the sim cells agree', () => {
    for (const name of CNI_NAMES) {
      for (const mode of PROXY_MODES) {
        const support = profiles[name].proxyModes[mode];
        if (!support.supported) continue;
        const expected = support.capabilities.includes('networkPolicy') && name !== 'cilium';
        expect({ cell: `${name}-${mode}`, declared: support.capabilities.includes('ipBlockMatchesPodIPs') }).toEqual({ cell: `${name}-${mode}`, declared: expected });
        expect({ cell: `${name}-${mode}`, sim: simCapabilities(name, mode).includes('ipBlockMatchesPodIPs') }).toEqual({ cell: `${name}-${mode}`, sim: expected });
      }
    }
  });
});
