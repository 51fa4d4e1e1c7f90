// A cell whose pins cannot work is refused before kind is even asked: no cluster, exit 4 naming
// the pin and the fix, and a run folder holding only the report of why nothing ran.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../harness/config/index.ts';
import type { Kind } from '../../harness/kind/index.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { runMatrix } from '../../harness/run/run.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnimatrix-refusal-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('run refuses a Cilium cell whose cilium-cli pin has no sha256 before any kind call', async () => {
  const calls: string[] = [];
  const kind = new Proxy({}, { get: (_t, name) => (...args: unknown[]) => { calls.push(String(name)); throw new Error(`kind.${String(name)}(${args.join(' ')}) must not be called`); } }) as Kind;
  const config = loadConfig({ cwd: dir, flags: { cni: 'kindnet,cilium', proxyMode: 'iptables', runId: 'refused', reportsDir: join(dir, 'reports') } });
  const error = await runMatrix({ config, kind, note: () => undefined }).catch((e: unknown) => e);
  expect((error as { exitCode: number }).exitCode).toBe(4);
  expect((error as Error).message).toContain('refused before any cluster was created: cilium-iptables');
  expect((error as { hint: string }).hint).toMatch(/cilium-linux-\w+\.tar\.gz\.sha256sum/);
  expect(calls).toEqual([]);
  expect(readdirSync(join(dir, 'reports', 'refused')).sort()).toEqual(['matrix.html', 'matrix.json', 'matrix.md']);
  const matrix = JSON.parse(readFileSync(join(dir, 'reports', 'refused', 'matrix.json'), 'utf8')) as Matrix;
  expect(matrix.run.ended).toMatchObject({ exitCode: 4, message: expect.stringContaining('cilium-iptables') });
  expect((error as { hint: string }).hint).toContain(`the report says the same: ${join(dir, 'reports', 'refused', 'matrix.md')}`);
});
