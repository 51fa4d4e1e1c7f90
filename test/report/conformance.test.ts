import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { buildConformanceReport, writeConformanceReport } from '../../harness/report/conformance.ts';
import { cell, mixedCell, NO_SCTP_EVIDENCE, pass, probedAbsent, unsupported } from './fixtures.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('per-suite results and statistics follow the tests', () => {
  const report = buildConformanceReport(mixedCell());
  expect(report).toMatchObject({
    apiVersion: 'cnimatrix.io/v1alpha1',
    kind: 'ConformanceReport',
    implementation: { cni: 'calico', version: 'v3.28.0' },
    proxyMode: 'iptables',
    date: '2024-05-01T12:10:00.000Z',
    unsupportedFeatures: ['ipBlockMatchesPodIPs', 'ipv6', 'kubeProxyReplacement', 'sessionAffinity', 'ingress'],
    result: 'failure',
  });
  expect(Object.keys(report.suites)).toEqual(['pod-network', 'network-policy', 'dns', 'services']);
  expect(report.suites['pod-network']).toEqual({
    result: 'partial',
    statistics: { passed: 2, failed: 0, errored: 0, skipped: 1, flaky: 0 },
    failedTests: [],
    flakyTests: [],
    skippedTests: [{ name: 'SCTP', reason: 'needs capability sctp' }],
  });
  expect(report.suites['network-policy']?.result).toBe('failure');
  expect(report.suites['network-policy']?.statistics).toEqual({ passed: 0, failed: 1, errored: 0, skipped: 0, flaky: 1 });
  expect(report.suites['dns']?.statistics.errored).toBe(1);
  expect(report.suites['services']?.result).toBe('success');
});

test('a capability probed absent from the cluster is an unsupported feature, though the profile declares it', () => {
  const report = buildConformanceReport(probedAbsent(cell('calico', 'iptables', [unsupported('pod-network', 'same node › SCTP', `needs sctp: ${NO_SCTP_EVIDENCE}`)]), { sctp: NO_SCTP_EVIDENCE }));
  expect(report.capabilities).toEqual(['networkPolicy']);
  expect(report.unsupportedFeatures).toEqual(['ipBlockMatchesPodIPs', 'sctp', 'ipv6', 'kubeProxyReplacement', 'sessionAffinity', 'ingress']);
  expect(report.suites['pod-network']?.skippedTests).toEqual([{ name: 'same node › SCTP', reason: `needs sctp: ${NO_SCTP_EVIDENCE}` }]);
});

test('overall result: success, partial, and failure for a cell that could not run', () => {
  expect(buildConformanceReport(cell('kindnet', 'iptables', [pass('dns', 'a')])).result).toBe('success');
  expect(buildConformanceReport(cell('kindnet', 'iptables', [pass('dns', 'a'), unsupported('dns', 'b', 'no ipv6')])).result).toBe('partial');
  const broken = buildConformanceReport(cell('weave', 'ipvs', [], { error: { phase: 'wait-ready', message: 'nodes NotReady' } }));
  expect(broken.result).toBe('failure');
  expect(broken.error).toEqual({ phase: 'wait-ready', message: 'nodes NotReady' });
});

test('is written as YAML under conformance/<cell>.yaml', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnimatrix-conformance-'));
  dirs.push(dir);
  const path = await writeConformanceReport(dir, mixedCell());
  expect(path).toBe(join(dir, 'conformance', 'calico-iptables.yaml'));
  expect(parse(await readFile(path, 'utf8'))).toEqual(buildConformanceReport(mixedCell()));
});
