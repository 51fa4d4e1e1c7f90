import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { runSuites } from '../../harness/run/suite-runner.ts';

describe('the suites child process', () => {
  test('a timeout below a second is reported as given, not as "within 0 s"', async () => {
    const cell = { id: 'kindnet-iptables', cni: 'kindnet', cniVersion: 'v1', proxyMode: 'iptables', capabilities: [], runId: 'r', strict: false, dockerNetwork: 'kind', clusterName: 'c' } as const;
    const run = runSuites({ cell: { ...cell, capabilities: [] }, suites: ['dns'], kubeconfigPath: '/nonexistent', workDir: mkdtempSync(join(tmpdir(), 'cnimatrix-suites-')), timeoutMs: 1, probeConcurrency: 48 });
    await expect(run).rejects.toThrow(/the suites did not finish within 1ms; its output is in /);
  }, 30_000);
});
