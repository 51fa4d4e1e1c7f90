import { describe, expect, test } from '@jest/globals';
import { formatDuration, parseDuration, resolveParallel, toPlanRequest, loadConfig, MEMORY_PER_NODE_BYTES } from '../../harness/config/index.ts';
import { closest } from '../../harness/config/suggest.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['45s', 45_000],
    ['1m30s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
  ])('%s is %i ms and prints back the same', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(text);
  });

  test('units may be combined freely', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h90m')).toBe(9_000_000);
  });

  test.each(['5', 'm5', '5 m', '5d', '', '1.5m'])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('suggestions', () => {
  test('close typos find their match, unrelated words do not', () => {
    expect(closest('calcio', ['kindnet', 'calico', 'flannel'])).toBe('calico');
    expect(closest('Cilum', ['cilium', 'weave'])).toBe('cilium');
    expect(closest('proxymodes', ['cnis', 'proxyModes'])).toBe('proxyModes');
    expect(closest('banana', ['cnis', 'keep', 'suites'])).toBeUndefined();
  });
});

describe('resolveParallel', () => {
  const host = { cpus: 8, freeMemoryBytes: 16 * 1024 ** 3 };

  test('a fixed number is capped by the number of cells', () => {
    expect(resolveParallel(4, { cells: 2, nodesPerCluster: 2, host })).toBe(2);
    expect(resolveParallel(3, { cells: 20, nodesPerCluster: 2, host })).toBe(3);
  });

  test('auto takes the tightest of CPUs, memory and cells, and at least one', () => {
    expect(resolveParallel('auto', { cells: 20, nodesPerCluster: 2, host })).toBe(4);
    expect(resolveParallel('auto', { cells: 20, nodesPerCluster: 2, host: { cpus: 32, freeMemoryBytes: 3 * 2 * MEMORY_PER_NODE_BYTES } })).toBe(3);
    expect(resolveParallel('auto', { cells: 1, nodesPerCluster: 2, host })).toBe(1);
    expect(resolveParallel('auto', { cells: 20, nodesPerCluster: 2, host: { cpus: 1, freeMemoryBytes: 1024 } })).toBe(1);
  });
});

describe('toPlanRequest', () => {
  test('carries the cells, suites, node settings and manifest overrides', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'cnimatrix-plan-request-'));
    const config = loadConfig({ cwd, flags: { cni: 'calico', proxyMode: 'iptables,none', suites: 'dns', runId: 'r1', workers: '2' } });
    expect(toPlanRequest(config)).toEqual({ runId: 'r1', cnis: ['calico'], proxyModes: ['iptables', 'none'], suites: ['dns'], workers: 2 });
    const withOverrides = {
      ...config,
      nodeImage: 'kindest/node:v1.36.4',
      overrides: { manifests: { flannel: { url: 'https://mirror.test/kube-flannel.yml', sha256: 'c'.repeat(64) } } },
    };
    expect(toPlanRequest(withOverrides)).toMatchObject({
      nodeImage: 'kindest/node:v1.36.4',
      overrides: { manifests: { flannel: { url: 'https://mirror.test/kube-flannel.yml', sha256: 'c'.repeat(64) } } },
    });
  });
});
