import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type ConfigFlags } from '../../harness/config/index.ts';
import { BadInputError } from '../../harness/model/errors.ts';

function workdir(configYaml?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cnimatrix-config-'));
  if (configYaml !== undefined) writeFileSync(path.join(dir, 'cnimatrix.config.yaml'), configYaml);
  return dir;
}

function loadError(cwd: string, flags: ConfigFlags = {}, file?: string): BadInputError {
  try {
    loadConfig({ cwd, flags, ...(file === undefined ? {} : { file }) });
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).exitCode).toBe(2);
    return error as BadInputError;
  }
  throw new Error('expected loadConfig to reject the input');
}

describe('defaults', () => {
  test('without a file or flags every CNI, proxy mode and suite is planned', () => {
    const cwd = workdir();
    const config = loadConfig({ cwd, now: new Date(Date.UTC(2026, 2, 4, 9, 5, 7)) });
    expect(config).toEqual({
      configFile: undefined,
      runId: '20260304-090507',
      cnis: ['kindnet', 'calico', 'flannel', 'cilium', 'weave'],
      proxyModes: ['iptables', 'ipvs', 'nftables', 'none'],
      suites: ['pod-network', 'network-policy', 'dns', 'ingress', 'services'],
      parallel: 'auto',
      keep: 'none',
      strict: false,
      reportsDir: path.join(cwd, 'reports'),
      nodeImage: undefined,
      workers: 2,
      probeConcurrency: 48,
      timeouts: { clusterCreate: 300_000, cniReady: 300_000, ingressReady: 180_000, suite: 900_000, teardown: 120_000, upgrade: 600_000 },
      kubeconfig: undefined,
      reuse: false,
      preload: false,
      overrides: { manifests: {} },
      upgrades: [],
      upgradeMaxGapMs: 3000,
    });
  });

  test('an empty config file means the defaults', () => {
    const cwd = workdir('# nothing set yet\n');
    const config = loadConfig({ cwd });
    expect(config.configFile).toBe(path.join(cwd, 'cnimatrix.config.yaml'));
    expect(config.cnis).toHaveLength(5);
  });
});

describe('file and flags', () => {
  const file = [
    'cnis: [calico, cilium]',
    'proxyModes: iptables,none',
    'parallel: 2',
    'keep: failed',
    'strict: true',
    'reportsDir: out',
    'runId: nightly-42',
    'nodeImage: kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
    'workers: 2',
    'probeConcurrency: 12',
    'timeouts:',
    '  clusterCreate: 10m',
    '  suite: 1h30m',
    'preload: true',
    'overrides:',
    '  manifests:',
    '    calico-operator:',
    '      url: file:///mirror/tigera-operator.yaml',
    `      sha256: ${'ab'.repeat(32)}`,
  ].join('\n');

  test('every key of the file is read', () => {
    const cwd = workdir(file);
    const config = loadConfig({ cwd });
    expect(config).toMatchObject({
      cnis: ['calico', 'cilium'],
      proxyModes: ['iptables', 'none'],
      parallel: 2,
      keep: 'failed',
      strict: true,
      reportsDir: path.join(cwd, 'out'),
      runId: 'nightly-42',
      workers: 2,
      probeConcurrency: 12,
      preload: true,
      timeouts: { clusterCreate: 600_000, suite: 5_400_000, cniReady: 300_000 },
      overrides: { manifests: { 'calico-operator': { url: 'file:///mirror/tigera-operator.yaml', sha256: 'ab'.repeat(32) } } },
    });
  });

  test('flags override the file, timeouts phase by phase', () => {
    const cwd = workdir(file);
    const config = loadConfig({
      cwd,
      flags: { cni: 'weave', proxyMode: 'nftables', parallel: 'auto', keep: 'all', strict: false, runId: 'r2', workers: '0', timeout: ['suite=20m'], preload: false },
    });
    expect(config).toMatchObject({
      cnis: ['weave'],
      proxyModes: ['nftables'],
      parallel: 'auto',
      keep: 'all',
      strict: false,
      runId: 'r2',
      workers: 0,
      preload: false,
      timeouts: { clusterCreate: 600_000, suite: 1_200_000 },
    });
  });

  test('--config names another file, relative to the working directory', () => {
    const cwd = workdir();
    writeFileSync(path.join(cwd, 'ci.yaml'), 'cnis: [flannel]\n');
    expect(loadConfig({ cwd, flags: { config: 'ci.yaml' } }).cnis).toEqual(['flannel']);
  });

  test('--reuse needs nothing else', () => {
    expect(loadConfig({ cwd: workdir(), flags: { reuse: true } }).reuse).toBe(true);
  });

  test('--kubeconfig is made absolute', () => {
    const cwd = workdir();
    writeFileSync(path.join(cwd, 'kc.yaml'), 'apiVersion: v1\n');
    const config = loadConfig({ cwd, flags: { kubeconfig: 'kc.yaml', cni: 'cilium', proxyMode: 'none' } });
    expect(config.kubeconfig).toBe(path.join(cwd, 'kc.yaml'));
  });
});

describe('bad files', () => {
  test('an explicit config file that does not exist', () => {
    const cwd = workdir();
    const error = loadError(cwd, {}, 'missing.yaml');
    expect(error.message).toBe(`config file not found: ${path.join(cwd, 'missing.yaml')}`);
  });

  test('YAML syntax errors give line and column', () => {
    expect(loadError(workdir('suites: dns\n  keep: all\n')).message).toBe(
      'cnimatrix.config.yaml:1:9: invalid YAML: Nested mappings are not allowed in compact mappings',
    );
    expect(loadError(workdir('suites: [dns]\nkeep: "all\n')).message).toBe('cnimatrix.config.yaml:3:1: invalid YAML: Missing closing "quote');
    expect(loadError(workdir('keep: all\nkeep: none\n')).message).toMatch(/^cnimatrix\.config\.yaml:2:1: invalid YAML: Map keys must be unique/);
  });

  test('an unknown key is an error with a suggestion', () => {
    const error = loadError(workdir('cni: [calico]\n'));
    expect(error.message).toBe(
      'cnimatrix.config.yaml: unknown key "cni"; known keys: cnis, proxyModes, suites, parallel, keep, strict, reportsDir, runId, ' +
        'nodeImage, workers, probeConcurrency, timeouts, kubeconfig, reuse, preload, overrides, upgrades, upgradeMaxGap; did you mean "cnis"?',
    );
  });

  test('an unknown nested key names its parent', () => {
    const error = loadError(workdir('timeouts:\n  clustercreate: 5m\n'));
    expect(error.message).toContain('cnimatrix.config.yaml: timeouts: unknown key "clustercreate"');
    expect(error.message).toContain('did you mean "clusterCreate"?');
  });

  test('an unknown key far from any known one gets no suggestion', () => {
    expect(loadError(workdir('colour: blue\n')).message).not.toContain('did you mean');
  });

  test('bad values name the field, the value and the valid values', () => {
    expect(loadError(workdir('cnis: [calico, calcio]\n')).message).toBe(
      'cnimatrix.config.yaml: cnis: unknown CNI "calcio"; known: kindnet, calico, flannel, cilium, weave; did you mean "calico"?',
    );
    expect(loadError(workdir('keep: sometimes\n')).message).toBe(
      'cnimatrix.config.yaml: keep: unknown keep policy "sometimes"; known: none, failed, all',
    );
    expect(loadError(workdir('timeouts:\n  suite: 10\n')).message).toContain('cnimatrix.config.yaml: timeouts.suite: invalid duration 10');
    expect(loadError(workdir('strict: yes please\n')).message).toBe('cnimatrix.config.yaml: strict: expected true or false, got "yes please"');
  });

  test('several problems are all reported', () => {
    const message = loadError(workdir('workers: 10\nparallel: 0\n')).message.split('\n');
    expect(message).toEqual([
      'cnimatrix.config.yaml: parallel: expected "auto" or a whole number of clusters from 1 to 16, got 0',
      'cnimatrix.config.yaml: workers: workers must be a whole number from 0 to 9, got 10',
    ]);
  });

  test('manifest overrides need an https or file URL and a sha256', () => {
    const message = loadError(workdir('overrides:\n  manifests:\n    flannel:\n      url: http://example.test/x.yaml\n      sha256: abc\n')).message;
    expect(message).toContain('overrides.manifests.flannel.url: expected an https:// or file:// URL, got "http://example.test/x.yaml"');
    expect(message).toContain('overrides.manifests.flannel.sha256: expected 64 lowercase hex digits, got "abc"');
  });

  test('a top-level list is not a configuration', () => {
    expect(loadError(workdir('- calico\n')).message).toContain('expected a configuration mapping');
  });
});

describe('bad flags', () => {
  const cases: Array<[ConfigFlags, string]> = [
    [{ cni: 'calcio' }, '--cni: unknown CNI "calcio"; known: kindnet, calico, flannel, cilium, weave; did you mean "calico"?'],
    [{ cni: 'calico,calico' }, '--cni: CNI "calico" is listed twice'],
    [{ cni: '' }, '--cni: expected at least one CNI; known: kindnet, calico, flannel, cilium, weave'],
    [{ proxyMode: 'ebpf' }, '--proxy-mode: unknown proxy mode "ebpf"; known: iptables, ipvs, nftables, none'],
    [{ suites: 'dns,netpol' }, '--suites: unknown suite "netpol"; known: pod-network, network-policy, dns, ingress, services'],
    [{ parallel: 'many' }, '--parallel: expected "auto" or a whole number of clusters from 1 to 16, got "many"'],
    [{ keep: 'some' }, '--keep: unknown keep policy "some"; known: none, failed, all'],
    [{ workers: '-1' }, '--workers: workers must be a whole number from 0 to 9, got "-1"'],
    [{ probeConcurrency: '0' }, '--probe-concurrency: probeConcurrency must be a whole number from 1 to 512, got "0"'],
    [{ runId: 'Nightly_1' }, '--run-id: invalid run id "Nightly_1"'],
    [{ runId: 'a'.repeat(21) }, `--run-id: invalid run id "${'a'.repeat(21)}"`],
    [{ nodeImage: 'Kindest/Node:latest' }, '--node-image: invalid node image "Kindest/Node:latest"'],
    [{ timeout: ['create=5m'] }, '--timeout: unknown phase "create" in "create=5m"; known: clusterCreate, cniReady, ingressReady, suite, teardown'],
    [{ timeout: ['suite=5 minutes'] }, '--timeout: suite: invalid duration "5 minutes"'],
    [{ kubeconfig: 'nope.yaml' }, 'kubeconfig (--kubeconfig) file not found:'],
  ];

  test.each(cases)('%j is rejected', (flags, message) => {
    expect(loadError(workdir(), flags).message).toContain(message);
  });

  test('--kubeconfig and --reuse exclude each other', () => {
    const cwd = workdir();
    writeFileSync(path.join(cwd, 'kc'), 'apiVersion: v1\n');
    const error = loadError(cwd, { kubeconfig: 'kc', reuse: true });
    expect(error.message).toBe('kubeconfig (--kubeconfig) and reuse (--reuse) cannot be combined: --kubeconfig already names the cluster to test');
  });
});

describe('upgrades', () => {
  test('--upgrade alone plans only the upgrade cells; with --cni both', () => {
    const alone = loadConfig({ cwd: workdir(), flags: { upgrade: 'flannel:v0.26.7..v0.27.4', proxyMode: 'iptables' } });
    expect(alone.upgrades).toEqual([{ cni: 'flannel', from: 'v0.26.7', to: 'v0.27.4' }]);
    expect(alone.cnis).toEqual([]);
    const both = loadConfig({ cwd: workdir(), flags: { upgrade: 'flannel:v0.27.3..v0.27.4', cni: 'calico' } });
    expect(both.cnis).toEqual(['calico']);
  });

  test('the file form is a list, and upgradeMaxGap a duration', () => {
    const config = loadConfig({ cwd: workdir('upgrades: ["flannel:v0.27.3..v0.27.4"]\nupgradeMaxGap: 5s\n') });
    expect(config.upgrades).toEqual([{ cni: 'flannel', from: 'v0.27.3', to: 'v0.27.4' }]);
    expect(config.upgradeMaxGapMs).toBe(5000);
  });

  test.each([
    ['flannel:v0.26.0..v0.27.4', '--upgrade: unknown flannel version "v0.26.0" in "flannel:v0.26.0..v0.27.4"; known flannel versions: v0.26.7, v0.27.3, v0.27.4'],
    ['flannel:v0.27.4..v0.27.4', '--upgrade: "flannel:v0.27.4..v0.27.4" upgrades flannel to the version it starts from; name two different versions (v0.26.7, v0.27.3, v0.27.4)'],
    ['flanel:v0.27.3..v0.27.4', '--upgrade: unknown CNI "flanel" in "flanel:v0.27.3..v0.27.4"; known: kindnet, calico, flannel, cilium, weave; did you mean "flannel"?'],
    ['flannel:v0.27.3', '--upgrade: expected <cni>:<from>..<to> (e.g. "flannel:v0.26.7..v0.27.4"), got "flannel:v0.27.3"'],
    ['calico:v3.32.1..v3.32.1,calico:v3.32.1..v3.32.1', '--upgrade: "calico:v3.32.1..v3.32.1" upgrades calico to the version it starts from; name two different versions (v3.32.1)'],
    ['flannel:v0.27.3..v0.27.4,flannel:v0.27.4..v0.27.3', '--upgrade: flannel is upgraded twice; one upgrade per CNI per run'],
  ])('--upgrade %s is refused naming what is known', (upgrade, message) => {
    expect(() => loadConfig({ cwd: workdir(), flags: { upgrade } })).toThrow(message);
  });

  test('--upgrade and --reuse exclude each other', () => {
    expect(() => loadConfig({ cwd: workdir(), flags: { upgrade: 'flannel:v0.26.7..v0.27.4', reuse: true } })).toThrow(/reuse \(--reuse\) and upgrades \(--upgrade\) cannot be combined/);
  });

  test('--upgrade and --kubeconfig exclude each other', () => {
    const cwd = workdir();
    writeFileSync(path.join(cwd, 'kubeconfig'), 'apiVersion: v1\n');
    expect(() => loadConfig({ cwd, flags: { upgrade: 'flannel:v0.27.3..v0.27.4', kubeconfig: 'kubeconfig' } })).toThrow(/upgrades \(--upgrade\) cannot be combined/);
  });
});
