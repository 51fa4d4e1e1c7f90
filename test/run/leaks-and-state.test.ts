import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import type { Kind } from '../../harness/kind/index.ts';
import { leakedClusters } from '../../harness/run/leaks.ts';
import { readRunState } from '../../harness/run/run-state.ts';

const kindWith = (clusters: string[]) => ({ getClusters: async () => clusters }) as unknown as Kind;

test('leaked clusters: earlier cnimatrix runs only, never this run, reused ones or anyone else\'s', async () => {
  const leaked = await leakedClusters(
    kindWith(['kind', 'cnimatrix-20260101-000000-calico-iptables', 'cnimatrix-now-kindnet-iptables', 'cnimatrix-reuse-calico-iptables', 'my-cnimatrix-lab']),
    'now',
  );
  expect(leaked).toEqual(['cnimatrix-20260101-000000-calico-iptables']);
});

test('--resume of a folder without run.json, or with a broken one, is bad input naming the folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-resume-'));
  await expect(readRunState(dir)).rejects.toThrow(`--resume ${dir}: no run.json there`);
  writeFileSync(join(dir, 'run.json'), '{ not json');
  await expect(readRunState(dir)).rejects.toThrow(/run\.json is not valid JSON/);
});
