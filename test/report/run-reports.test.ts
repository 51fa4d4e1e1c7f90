import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { reportCommand } from '../../harness/cli/commands/report.ts';
import { readJUnitCells } from '../../harness/report/junit-read.ts';
import { parseMatrix } from '../../harness/report/matrix.ts';
import { writeRunReports } from '../../harness/report/run-reports.ts';
import { cell, mixedCell, RUN } from './fixtures.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('writeRunReports writes the matrix in three forms, the combined JUnit and conformance summaries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnimatrix-run-'));
  dirs.push(dir);
  const cells = [mixedCell('calico', 'iptables'), cell('cilium', 'none', [], { error: { phase: 'create-cluster', message: 'boom' } })];
  const written = await writeRunReports(dir, cells, RUN);
  expect((await readdir(dir)).sort()).toEqual(['conformance', 'junit.xml', 'matrix.html', 'matrix.json', 'matrix.md']);
  expect(parseMatrix(JSON.parse(await readFile(written.matrixJson, 'utf8')))).toEqual(written.matrix);
  expect(readJUnitCells(await readFile(written.junit, 'utf8')).map((c) => c.cell.id)).toEqual(['calico-iptables', 'cilium-none']);
  expect(written.conformance).toEqual([join(dir, 'conformance', 'calico-iptables.yaml'), join(dir, 'conformance', 'cilium-none.yaml')]);
  expect(parse(await readFile(join(dir, 'conformance', 'cilium-none.yaml'), 'utf8'))).toMatchObject({ result: 'failure', error: { phase: 'create-cluster' } });
  expect(await readFile(written.matrixMarkdown, 'utf8')).toContain('💥 create-cluster: boom');

  // Without per-cell files, `cnimatrix report` falls back to the combined junit.xml.
  const out = join(dir, 'rebuilt');
  let stdout = '';
  await reportCommand({ stdout: (t) => (stdout += t), stderr: () => undefined }).parseAsync([dir, '--out', out], { from: 'user' });
  expect(stdout).toContain('read 1 JUnit files, 2 cells, 7 tests');
  const rebuilt = parseMatrix(JSON.parse(await readFile(join(out, 'matrix.json'), 'utf8')));
  expect(rebuilt.cells).toEqual(written.matrix.cells);
  expect(rebuilt.summary).toEqual(written.matrix.summary);
  expect(new Set(rebuilt.tests.map((t) => JSON.stringify(t)))).toEqual(new Set(written.matrix.tests.map((t) => JSON.stringify(t))));
});
