import { describe, expect, test } from '@jest/globals';
import { failedChecks, failureDigest } from '../../harness/report/failures.ts';
import { cell, fail, mixedCell, pass } from './fixtures.ts';

describe('the failed checks of a run', () => {
  test('lists each failed check per cell with the first line of its evidence', () => {
    expect(failureDigest([mixedCell(), cell('kindnet', 'iptables', [pass('dns', 'ok')])])).toEqual([
      'calico-iptables: 1 failed, 1 errored',
      '  ✗ network-policy › deny all ingress: policy deny-all-ingress: 2 of 6 probes differ',
      '  ! dns › search path: exec into dnsutils failed: pod not ready',
    ]);
  });

  test('a cell that could not run names its phase and error', () => {
    const broken = cell('calico', 'none', [], { error: { phase: 'create-cluster', message: 'failed to create cluster\nmore' } });
    expect(failedChecks([broken])).toEqual([{ cellId: 'calico-none', check: '(create-cluster)', status: 'error', evidence: 'failed to create cluster' }]);
    expect(failureDigest([broken])).toEqual(['calico-none: could not run its suites (create-cluster)', '  ! (create-cluster): failed to create cluster']);
  });

  test('caps the checks per cell and counts the rest', () => {
    const many = cell('calico', 'iptables', Array.from({ length: 5 }, (_, i) => fail('dns', `case ${i}`, `broke ${i}`)));
    expect(failureDigest([many], 2)).toEqual(['calico-iptables: 5 failed', '  ✗ dns › case 0: broke 0', '  ✗ dns › case 1: broke 1', '  … and 3 more (matrix.md has them all)']);
  });
});
