import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import type { Kind } from '../../harness/kind/index.ts';
import { leakedClusters } from '../../harness/run/leaks.ts';
import { loadConfig } from '../../harness/config/load.ts';
import { readRunState, resumedConfig, writeRunState, type RunState } from '../../harness/run/run-state.ts';

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

test('--resume keeps how the first run brought images to the nodes: --preload, which an offline machine depends on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-resume-'));
  const first = loadConfig({ cwd: dir, flags: { cni: 'flannel', proxyMode: 'iptables', runId: 'r1', preload: true } });
  await writeRunState(dir, first, '2026-12-03T12:00:00.000Z');
  const today = loadConfig({ cwd: dir, flags: {} });
  expect(today.preload).toBe(false);
  expect(resumedConfig(today, await readRunState(dir))).toMatchObject({ runId: 'r1', cnis: ['flannel'], preload: true });
  // A run.json of an earlier cnimatrix, without preload: today's setting.
  const { preload: _dropped, ...older } = await readRunState(dir);
  expect(resumedConfig({ ...today, preload: true }, older as RunState).preload).toBe(true);
});
