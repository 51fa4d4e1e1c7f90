import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { profiles } from '../../clusters/index.ts';
import { kindPins, manifestPins } from '../../clusters/versions.ts';
import { CNI_NAMES, PROXY_MODES, SUITE_NAMES, cellId } from '../../harness/model/cell.ts';
import { BadInputError } from '../../harness/model/errors.ts';
import { buildPlan, renderPlan, validateKindConfig, type PlanRequest } from '../../harness/plan/index.ts';

const fullRequest: PlanRequest = {
  runId: 'r1',
  cnis: [...CNI_NAMES],
  proxyModes: [...PROXY_MODES],
  suites: [...SUITE_NAMES],
  cacheDir: '/var/cache/cnimatrix-test',
  arch: 'amd64',
};

// The cilium-cli tarball has no verified sha256 offline; an override stands in for one a user recorded.
const ciliumRecorded: PlanRequest['overrides'] = { manifests: { 'cilium-cli': { url: 'https://example.test/cilium-linux-amd64.tar.gz', sha256: 'b'.repeat(64) } } };

describe('buildPlan expansion', () => {
  const plan = buildPlan(fullRequest);
  const pinned = buildPlan({ ...fullRequest, overrides: ciliumRecorded });

  test('accounts for all 20 CNI x proxy-mode combinations exactly once', () => {
    const planned = plan.cells.map((c) => c.id);
    const unsupported = plan.unsupported.map((u) => u.id);
    const refused = plan.refused.map((r) => r.id);
    const expected = CNI_NAMES.flatMap((cni) => PROXY_MODES.map((mode) => cellId(cni, mode)));
    expect([...planned, ...unsupported, ...refused].sort()).toEqual([...expected].sort());
    expect(new Set([...planned, ...unsupported, ...refused]).size).toBe(20);
  });

  test('no planned cell holds a pin that fails by construction; the ones that would are refused naming pin and fix', () => {
    for (const cell of plan.cells) {
      const pins = [...cell.prepare.map((p) => p.archive), ...[...cell.installSteps, ...(cell.ingress?.installSteps ?? [])].flatMap((s) => (s.kind === 'applyManifest' ? [s.manifest] : []))];
      for (const pin of pins) expect(pin.sha256).not.toBe('0'.repeat(64));
    }
    expect(plan.refused.map((r) => r.id)).toEqual(PROXY_MODES.map((m) => `cilium-${m}`));
    expect(plan.refused[0]?.reason).toMatch(
      /^pin cilium-cli \(https:\/\/github\.com\/cilium\/cilium-cli\/releases\/download\/v0\.19\.7\/cilium-linux-amd64\.tar\.gz\): no sha256 is recorded .*; fix: record the sha256 from https:\/\/.*cilium-linux-amd64\.tar\.gz\.sha256sum/,
    );
  });

  test('every unsupported combination has a reason that names the gap', () => {
    expect(plan.unsupported.map((u) => u.id).sort()).toEqual(['calico-none', 'flannel-none', 'kindnet-none', 'weave-none']);
    for (const u of plan.unsupported) {
      expect(u.reason.length).toBeGreaterThan(20);
      expect(u.reason).toMatch(/kube-proxy/);
    }
  });

  test('cilium-none is the only kube-proxy replacement cell and carries the capability', () => {
    const kpr = pinned.cells.filter((c) => c.capabilities.includes('kubeProxyReplacement')).map((c) => c.id);
    expect(kpr).toEqual(['cilium-none']);
  });

  test('capabilities follow the profiles: flannel has no NetworkPolicy, ingress added when installed', () => {
    const flannel = plan.cells.find((c) => c.id === 'flannel-iptables');
    expect(flannel?.capabilities).not.toContain('networkPolicy');
    expect(flannel?.capabilities).toContain('ingress');
    expect(plan.cells.find((c) => c.id === 'calico-iptables')?.capabilities).toContain('networkPolicy');
  });

  test('ipvs and nftables cells carry the mode warnings and host prerequisites', () => {
    const ipvs = plan.cells.find((c) => c.id === 'kindnet-ipvs');
    expect(ipvs?.warnings.join('\n')).toContain('deprecated since Kubernetes 1.35; needs ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack on the host');
    const modules = ipvs?.hostPrereqs.flatMap((p) => (p.kind === 'kernelModule' ? [p.module] : [])) ?? [];
    expect(modules).toEqual(expect.arrayContaining(['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack', 'nfnetlink_queue']));
    const nft = plan.cells.find((c) => c.id === 'calico-nftables');
    expect(nft?.hostPrereqs).toContainEqual(expect.objectContaining({ kind: 'kernelVersion', min: '5.13' }));
    expect(plan.cells.find((c) => c.id === 'flannel-iptables')?.hostPrereqs).toContainEqual(
      expect.objectContaining({ kind: 'kernelModule', module: 'br_netfilter' }),
    );
  });

  test('retired ingress-nginx is flagged at plan level with its successor', () => {
    expect(plan.warnings.join('\n')).toMatch(/ingress-nginx is retired.*cloud-provider-kind >= v0\.9\.0/);
  });

  test('readiness waits for nodes, CoreDNS, and kube-proxy only when it runs', () => {
    const none = pinned.cells.find((c) => c.id === 'cilium-none');
    const iptables = pinned.cells.find((c) => c.id === 'cilium-iptables');
    const conditions = (steps: { condition: { kind: string } & Record<string, unknown> }[] | undefined) =>
      (steps ?? []).map((s) => `${s.condition.kind}:${String(s.condition['name'] ?? s.condition['minCount'])}`);
    expect(conditions(none?.readiness)).toEqual(['daemonSetRolledOut:cilium', 'deploymentAvailable:cilium-operator', 'nodesReady:3', 'deploymentAvailable:coredns']);
    expect(conditions(iptables?.readiness)).toContain('daemonSetRolledOut:kube-proxy');
  });

  test('ingress readiness waits for what the self-deleting admission Jobs leave, then the controller pod', () => {
    const ingress = plan.cells[0]?.ingress;
    expect(ingress?.ingressClass).toBe('nginx');
    expect(ingress?.readiness.map((s) => s.condition)).toEqual([
      { kind: 'exists', ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'ingress-nginx', name: 'ingress-nginx-admission' } },
      {
        kind: 'exists',
        ref: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: 'ingress-nginx-admission' },
        path: ['webhooks', '0', 'clientConfig', 'caBundle'],
      },
      expect.objectContaining({ kind: 'podsReady', namespace: 'ingress-nginx', labelSelector: 'app.kubernetes.io/component=controller' }),
    ]);
    expect(JSON.stringify(ingress?.readiness)).not.toContain('jobComplete');
  });

  test('no ingress controller and no ingress capability when the ingress suite is not requested', () => {
    const small = buildPlan({ ...fullRequest, suites: ['dns'] });
    expect(small.cells.every((c) => c.ingress === undefined && !c.capabilities.includes('ingress'))).toBe(true);
    expect(small.warnings.join('\n')).not.toMatch(/ingress-nginx/);
  });

  test('nftables cells become unsupported with a reason on a node image older than 1.31', () => {
    const old = buildPlan({ ...fullRequest, cnis: ['kindnet'], nodeImage: 'kindest/node:v1.30.4' });
    expect(old.unsupported).toContainEqual(
      expect.objectContaining({ id: 'kindnet-nftables', reason: expect.stringContaining('needs Kubernetes >= 1.31') }),
    );
    expect(old.warnings.join('\n')).toMatch(/not pinned by digest/);
  });
});

describe('kind config per profile and supported mode', () => {
  const plan = buildPlan(fullRequest);

  test.each(plan.cells.map((c) => [c.id, c] as const))('%s renders a valid config that round-trips', (_id, cell) => {
    const parsed: unknown = YAML.parse(cell.kindConfigYaml);
    expect(parsed).toEqual(cell.kindConfig);
    expect(validateKindConfig(parsed)).toEqual([]);

    const config = parsed as Record<string, any>;
    const profile = profiles[cell.cni];
    expect(config['kind']).toBe('Cluster');
    expect(config['apiVersion']).toBe('kind.x-k8s.io/v1alpha4');
    expect(config['name']).toBe(cell.clusterName);
    expect(config['networking']).toEqual({
      disableDefaultCNI: cell.cni !== 'kindnet',
      podSubnet: profile.kind.podSubnet,
      serviceSubnet: '10.96.0.0/16',
      kubeProxyMode: cell.proxyMode,
    });
    const nodes = config['nodes'] as Record<string, any>[];
    expect(nodes.map((n) => n['role'])).toEqual(['control-plane', 'worker', 'worker']);
    expect(nodes[0]?.['labels']).toEqual({ 'ingress-ready': 'true' });
    expect(nodes.slice(1).every((n) => n['labels'] === undefined)).toBe(true);
    expect(nodes.every((n) => n['image'] === kindPins.nodeImage)).toBe(true);
    expect(nodes.every((n) => n['extraPortMappings'] === undefined)).toBe(true);
    const mounts = nodes.map((n) => n['extraMounts']);
    if (cell.cni === 'flannel') {
      for (const m of mounts) {
        expect(m).toEqual([
          { hostPath: '/var/cache/cnimatrix-test/cni-plugins/v1.1.1/amd64/bridge', containerPath: '/opt/cni/bin/bridge', readOnly: true },
        ]);
      }
    } else {
      expect(mounts.every((m) => m === undefined)).toBe(true);
    }
  });

  test('calico uses 192.168.0.0/16 in kind and in its generated Installation', () => {
    const cell = plan.cells.find((c) => c.id === 'calico-nftables');
    expect(cell?.kindConfig.networking.podSubnet).toBe('192.168.0.0/16');
    const apply = cell?.installSteps.find((s) => s.kind === 'applyObjects');
    const installation = apply?.kind === 'applyObjects' ? (apply.objects[0] as Record<string, any>) : undefined;
    expect(installation?.['kind']).toBe('Installation');
    expect(installation?.['spec']['calicoNetwork']['ipPools'][0]['cidr']).toBe('192.168.0.0/16');
    expect(installation?.['spec']['calicoNetwork']['linuxDataplane']).toBe('Nftables');
    const manifests = cell?.installSteps.flatMap((s) => (s.kind === 'applyManifest' ? [s.manifest] : []));
    expect(manifests?.map((m) => [m.id, m.mode])).toEqual([
      ['calico-operator-crds', 'create'],
      ['calico-tigera-operator', 'create'],
    ]);
  });

  test('flannel plans the bridge extraction from the pinned tarball', () => {
    const cell = plan.cells.find((c) => c.id === 'flannel-iptables');
    expect(cell?.prepare).toEqual([
      expect.objectContaining({
        kind: 'extractFile',
        member: './bridge',
        hostPath: '/var/cache/cnimatrix-test/cni-plugins/v1.1.1/amd64/bridge',
        archive: expect.objectContaining({ url: expect.stringContaining('cni-plugins-linux-amd64-v1.1.1.tgz') }),
      }),
    ]);
  });

  test('workers count is honoured', () => {
    const one = buildPlan({ ...fullRequest, cnis: ['kindnet'], proxyModes: ['iptables'], workers: 0 });
    expect(one.cells[0]?.kindConfig.nodes.map((n) => n.role)).toEqual(['control-plane']);
  });
});

describe('overrides and bad input', () => {
  test('an override replaces the manifest pin in every step that uses it', () => {
    const sha = 'a'.repeat(64);
    const plan = buildPlan({ ...fullRequest, cnis: ['flannel'], overrides: { manifests: { flannel: { url: 'file:///tmp/f.yml', sha256: sha } } } });
    for (const cell of plan.cells) {
      const step = cell.installSteps.find((s) => s.kind === 'applyManifest');
      expect(step?.kind === 'applyManifest' ? step.manifest : undefined).toEqual({ id: 'flannel', url: 'file:///tmp/f.yml', sha256: sha, mode: 'apply' });
    }
    expect(manifestPins.flannel.url).toContain('raw.githubusercontent.com/flannel-io/flannel/');
  });

  test("an override of a prepare step's archive is what the step extracts from, and its description says so", () => {
    const sha = 'c'.repeat(64);
    const plan = buildPlan({ ...fullRequest, cnis: ['flannel'], overrides: { manifests: { 'cni-bridge-plugin': { url: 'file:///lane/cni-bridge.tgz', sha256: sha } } } });
    for (const cell of plan.cells) {
      expect(cell.prepare.map((step) => ({ archive: step.archive, description: step.description }))).toEqual([
        {
          archive: { url: 'file:///lane/cni-bridge.tgz', sha256: sha },
          description: 'extract ./bridge from file:///lane/cni-bridge.tgz (overrides.manifests.cni-bridge-plugin, in place of cni-plugins-linux-amd64-v1.1.1.tgz)',
        },
      ]);
    }
  });

  test('an override with a recorded sha256 makes a refused cell runnable; one naming a missing file keeps it refused', () => {
    const before = buildPlan({ ...fullRequest, cnis: ['cilium'], proxyModes: ['none'] });
    expect(before.cells).toEqual([]);
    expect(before.refused.map((r) => r.id)).toEqual(['cilium-none']);
    const after = buildPlan({ ...fullRequest, cnis: ['cilium'], proxyModes: ['none'], overrides: ciliumRecorded });
    expect(after.cells.map((c) => c.id)).toEqual(['cilium-none']);
    expect(after.refused).toEqual([]);
    const missing = buildPlan({
      ...fullRequest, cnis: ['cilium'], proxyModes: ['none'],
      overrides: { manifests: { 'cilium-cli': { url: 'file:///nonexistent/cilium.tgz', sha256: 'b'.repeat(64) } } },
    });
    expect(missing.refused[0]?.reason).toContain('pin cilium-cli (file:///nonexistent/cilium.tgz): the pinned file does not exist');
  });

  test('an existing cluster (--kubeconfig) installs nothing, so its pins do not refuse it', () => {
    const existing = buildPlan({ ...fullRequest, cnis: ['cilium'], proxyModes: ['none'], ingress: false, existingCluster: true });
    expect(existing.cells.map((c) => c.id)).toEqual(['cilium-none']);
  });

  test.each([
    [{ cnis: ['canal'] }, /unknown cnis value "canal"[\s\S]*kindnet, calico/],
    [{ proxyModes: ['userspace'] }, /unknown proxyModes value "userspace"/],
    [{ suites: [] }, /suites is empty/],
    [{ workers: 2.5 }, /workers: invalid value 2.5/],
    [{ runId: 'Run_1' }, /invalid run id "Run_1"/],
    [{ overrides: { manifests: { nope: { url: 'https://x', sha256: 'a'.repeat(64) } } } }, /unknown manifest id "nope"[\s\S]*flannel/],
    [{ overrides: { manifests: { flannel: { url: 'https://x', sha256: 'abc' } } } }, /overrides\.manifests\.flannel\.sha256/],
    [{ overrides: { manifests: { flannel: { url: 'http://x', sha256: 'a'.repeat(64) } } } }, /overrides\.manifests\.flannel\.url/],
  ])('rejects %j', (patch, message) => {
    const attempt = () => buildPlan({ ...fullRequest, ...(patch as Partial<PlanRequest>) });
    expect(attempt).toThrow(BadInputError);
    let text = '';
    try {
      attempt();
    } catch (error) {
      text = `${(error as BadInputError).message}\n${(error as BadInputError).hint ?? ''}`;
      expect((error as BadInputError).exitCode).toBe(2);
    }
    expect(text).toMatch(message);
  });
});

describe('renderPlan', () => {
  const plan = buildPlan({ ...fullRequest, cnis: ['kindnet', 'cilium'], proxyModes: ['iptables', 'none'] });

  test('table has one row per cell and lists every unsupported cell with its reason', () => {
    const text = renderPlan(plan, 'table');
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('CELL'));
    expect(lines[header]).toMatch(/^CELL\s+CNI VERSION\s+PROXY MODE\s+CAPABILITIES\s+WARNINGS$/);
    expect(lines[header + 1]).toMatch(/^kindnet-iptables\s+kind-v0\.33\.0\s+iptables\s+networkPolicy,ipBlockMatchesPodIPs,sctp,ipv6,sessionAffinity,ingress\s+-$/);
    expect(lines.some((l) => /^cilium-none\s+v1\.19\.6\s+none\s+.*kubeProxyReplacement/.test(l))).toBe(false);
    expect(text).toContain('Unsupported:\n  kindnet-none: kindnet has no kube-proxy replacement');
    expect(text).toContain('Not runnable as pinned (refused before any cluster is created):\n  cilium-iptables: pin cilium-cli');
  });

  test('json and yaml round-trip to the same plan with the versioned schema', () => {
    expect(JSON.parse(renderPlan(plan, 'json'))).toEqual(plan);
    expect(YAML.parse(renderPlan(plan, 'yaml'))).toEqual(plan);
    expect(plan.schemaVersion).toBe('cnimatrix.io/plan/v1');
  });

  test('the table keeps one short line per cell: warnings are numbered there and written once below', () => {
    const plan = buildPlan(fullRequest);
    const text = renderPlan(plan, 'table');
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('CELL '));
    const rows = lines.slice(header, header + 1 + plan.cells.length);
    // A wide terminal's 132 columns: the capabilities column holds up to six names.
    expect(Math.max(...rows.map((l) => l.length))).toBeLessThanOrEqual(132);
    const warnings = [...new Set(plan.cells.flatMap((c) => c.warnings))];
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(text.split(warning)).toHaveLength(2);
    const ipvs = lines.find((l) => l.startsWith('kindnet-ipvs '))!;
    const numbered = [...ipvs.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
    expect(numbered.length).toBe(plan.cells.find((c) => c.id === 'kindnet-ipvs')!.warnings.length);
    expect(text).toMatch(new RegExp(`\\[${numbered[0]}\\] ipvs: deprecated[^\\n]*\\(kindnet-ipvs, `));
  });

  test('yaml writes every object out: no anchors or aliases for the steps cells share', () => {
    expect(renderPlan(plan, 'yaml')).not.toMatch(/(^|[\s:-])[&*]a\d+(\s|$)/m);
  });

  test('unknown format is bad input', () => {
    expect(() => renderPlan(plan, 'html' as 'table')).toThrow(/unknown plan format "html"/);
  });
});

describe('upgrade cells', () => {
  const upgrade = { cni: 'flannel', from: 'v0.26.7', to: 'v0.27.4' } as const;

  test('an upgrade alone plans one upgrade cell per supported proxy mode: `from` installed, `to` applied over it', () => {
    const plan = buildPlan({ ...fullRequest, cnis: [], upgrades: [upgrade] });
    expect(plan.cells.map((c) => [c.id, c.cniVersion])).toEqual([
      ['flannel-upg-iptables', 'v0.26.7→v0.27.4'],
      ['flannel-upg-ipvs', 'v0.26.7→v0.27.4'],
      ['flannel-upg-nftables', 'v0.26.7→v0.27.4'],
    ]);
    expect(plan.unsupported.map((c) => c.id)).toEqual(['flannel-upg-none']);
    const cell = plan.cells[0]!;
    const manifestOf = (steps: typeof cell.installSteps) => steps.flatMap((s) => (s.kind === 'applyManifest' ? [s.manifest.id] : []));
    expect(manifestOf(cell.installSteps)).toEqual(['flannel-v0.26.7']);
    expect(manifestOf(cell.upgrade!.installSteps)).toEqual(['flannel']);
    expect(cell.upgrade).toMatchObject({ from: 'v0.26.7', to: 'v0.27.4' });
    expect(cell.upgrade!.readiness.map((w) => w.condition)).toEqual([{ kind: 'daemonSetRolledOut', namespace: 'kube-flannel', name: 'kube-flannel-ds' }]);
    // The default run id (UTC time, 15 characters) leaves room for every upgrade cell's cluster name.
    expect(buildPlan({ ...fullRequest, runId: '20261203-154104', cnis: [], upgrades: [upgrade] }).cells.map((c) => c.clusterName)).toContain('cnimatrix-20261203-154104-flannel-upg-nftables');
    // Both versions' images are preloaded: the upgrade must not pull either.
    expect(cell.images).toEqual(expect.arrayContaining(['ghcr.io/flannel-io/flannel:v0.26.7', 'ghcr.io/flannel-io/flannel:v0.27.4']));
  });

  test('with CNIs named too, both kinds of cell are planned; an override reaches the `from` release too', () => {
    const sha = 'd'.repeat(64);
    const file = join(mkdtempSync(join(tmpdir(), 'plan-')), 'kube-flannel-v0.26.7.yml');
    writeFileSync(file, 'kind: List\n');
    const plan = buildPlan({
      ...fullRequest,
      cnis: ['flannel'],
      proxyModes: ['iptables'],
      upgrades: [upgrade],
      overrides: { manifests: { 'flannel-v0.26.7': { url: pathToFileURL(file).href, sha256: sha } } },
    });
    expect(plan.cells.map((c) => c.id)).toEqual(['flannel-iptables', 'flannel-upg-iptables']);
    const first = plan.cells[1]!.installSteps.find((s) => s.kind === 'applyManifest');
    expect(first?.kind === 'applyManifest' ? first.manifest.url : undefined).toBe(pathToFileURL(file).href);
  });
});
