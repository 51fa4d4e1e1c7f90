import { describe, expect, test } from '@jest/globals';
import { buildMatrix, MATRIX_SCHEMA_VERSION, matrixHasFailures, mergedRunInfo, parseMatrix } from '../../harness/report/matrix.ts';
import { cell, fail, mixedCell, NO_SCTP_EVIDENCE, pass, probedAbsent, RUN } from './fixtures.ts';

describe('buildMatrix', () => {
  const cells = [mixedCell('cilium', 'none'), mixedCell('calico', 'iptables'), cell('kindnet', 'ipvs', [pass('dns', 'only in kindnet')])];
  const matrix = buildMatrix(cells, RUN);

  test('is versioned and orders cells by CNI then proxy mode', () => {
    expect(matrix.schemaVersion).toBe(MATRIX_SCHEMA_VERSION);
    expect(matrix.run).toEqual(RUN);
    expect(matrix.cells.map((c) => c.id)).toEqual(['kindnet-ipvs', 'calico-iptables', 'cilium-none']);
  });

  test('has one row per distinct test, grouped by suite, each with per-cell results', () => {
    expect(matrix.tests.map((t) => `${t.suite}/${t.name}`)).toEqual([
      'pod-network/same node › TCP',
      'pod-network/cross node › TCP',
      'pod-network/SCTP',
      'network-policy/deny all ingress',
      'network-policy/allow from namespace',
      'dns/only in kindnet',
      'dns/search path',
      'services/ClusterIP › TCP',
    ]);
    const deny = matrix.tests.find((t) => t.name === 'deny all ingress');
    expect(Object.keys(deny?.results ?? {}).sort()).toEqual(['calico-iptables', 'cilium-none']);
    expect(deny?.results['calico-iptables']).toMatchObject({ status: 'fail', durationMs: 2500 });
    expect(deny?.results['calico-iptables']?.message).toContain('2 of 6 probes differ');
  });

  test('summarises each cell by status', () => {
    expect(matrix.summary['calico-iptables']).toEqual({ pass: 3, fail: 1, flaky: 1, unsupported: 1, error: 1 });
    expect(matrix.summary['kindnet-ipvs']).toEqual({ pass: 1, fail: 0, flaky: 0, unsupported: 0, error: 0 });
    expect(matrixHasFailures(matrix)).toBe(true);
    expect(matrixHasFailures(buildMatrix([cell('kindnet', 'ipvs', [pass('dns', 'x')])], RUN))).toBe(false);
  });

  test('a cell that could not run is kept with its error, and counts as a failure', () => {
    const broken = buildMatrix([cell('weave', 'nftables', [], { error: { phase: 'create-cluster', message: 'no docker' } })], RUN);
    expect(broken.cells[0]?.error).toEqual({ phase: 'create-cluster', message: 'no docker' });
    expect(broken.summary['weave-nftables']).toEqual({ pass: 0, fail: 0, flaky: 0, unsupported: 0, error: 0 });
    expect(matrixHasFailures(broken)).toBe(true);
  });

  test('survives JSON and validates on the way back', () => {
    expect(parseMatrix(JSON.parse(JSON.stringify(matrix)))).toEqual(matrix);
    const bad = JSON.parse(JSON.stringify(matrix));
    bad.tests[0].results['calico-iptables'].status = 'broken';
    expect(() => parseMatrix(bad)).toThrow(/tests\.0\.results\.calico-iptables\.status/);
    expect(() => parseMatrix({ ...matrix, schemaVersion: 'v0' })).toThrow(/schemaVersion/);
  });
});

describe('capabilities probed absent', () => {
  const matrix = buildMatrix([probedAbsent(mixedCell('calico', 'iptables'), { sctp: NO_SCTP_EVIDENCE }), mixedCell('cilium', 'none')], RUN);
  const json = () => JSON.parse(JSON.stringify(matrix));

  test('a cell keeps its declared capabilities and carries the absent ones with their evidence; other cells have no field', () => {
    expect(matrix.cells[0]).toMatchObject({ id: 'calico-iptables', capabilities: ['networkPolicy', 'sctp'], probedAbsent: { sctp: NO_SCTP_EVIDENCE } });
    expect(matrix.cells[1]).not.toHaveProperty('probedAbsent');
  });

  test('the schema reads new files with the field and v1 files written before it, which have none', () => {
    expect(parseMatrix(json())).toEqual(matrix);
    const old = json();
    delete old.cells[0].probedAbsent;
    expect(old.schemaVersion).toBe(MATRIX_SCHEMA_VERSION);
    expect(parseMatrix(old).cells[0]).not.toHaveProperty('probedAbsent');
  });

  test('refuses an unknown capability, and one probed absent that the cell does not declare', () => {
    const unknown = json();
    unknown.cells[0].probedAbsent = { sctpp: 'x' };
    expect(() => parseMatrix(unknown)).toThrow(/^cells\.0\.probedAbsent: Unrecognized key: "sctpp"/);
    const undeclared = json();
    undeclared.cells[0].probedAbsent = { ipv6: 'no IPv6 addresses' };
    expect(() => parseMatrix(undeclared)).toThrow(/^cells\.0\.probedAbsent\.ipv6: probed absent, but not among the declared capabilities \[networkPolicy, sctp\]/);
  });
});

test('mergedRunInfo spans the runs and hosts of the cells', () => {
  const a = cell('calico', 'ipvs', [fail('dns', 'x', 'bad')]);
  const b = { ...cell('cilium', 'none', []), runId: 'run-b', startedAt: '2024-05-02T00:00:00.000Z', finishedAt: '2024-05-02T01:00:00.000Z' };
  b.cell = { ...b.cell, host: 'other-host' };
  expect(mergedRunInfo([a, b], '9.9.9')).toEqual({
    id: `${RUN.id}+run-b`,
    startedAt: a.startedAt,
    finishedAt: '2024-05-02T01:00:00.000Z',
    host: 'ci-runner-1, other-host',
    cnimatrixVersion: '9.9.9',
  });
});
