import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Command } from 'commander';
import { diffCommand } from '../../harness/cli/commands/diff.ts';
import { reportCommand } from '../../harness/cli/commands/report.ts';
import { CnimatrixError } from '../../harness/model/errors.ts';
import { writeCellJUnit } from '../../harness/report/junit-write.ts';
import { buildMatrix, parseMatrix } from '../../harness/report/matrix.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { writeRunReports } from '../../harness/report/run-reports.ts';
import { cell, fail, mixedCell, pass, RUN } from './fixtures.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cnimatrix-cmd-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Captured {
  stdout: string;
  stderr: string;
}

/** Runs a command like the CLI would; resolves to the exit code and the captured output. */
async function run(make: (io: { stdout(t: string): void; stderr(t: string): void }) => Command, args: string[]): Promise<Captured & { code: number }> {
  const out: Captured = { stdout: '', stderr: '' };
  const command = make({ stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) })
    .exitOverride()
    .configureOutput({ writeOut: (t) => (out.stdout += t), writeErr: (t) => (out.stderr += t) });
  try {
    await command.parseAsync(args, { from: 'user' });
    return { ...out, code: 0 };
  } catch (error) {
    if (error instanceof CnimatrixError) return { ...out, stderr: out.stderr + error.message, code: error.exitCode };
    throw error;
  }
}

async function runDir(name: string, cells: Parameters<typeof writeCellJUnit>[1][]): Promise<string> {
  const dir = join(root, name);
  for (const result of cells) await writeCellJUnit(dir, result);
  return dir;
}

async function readMatrix(dir: string): Promise<Matrix> {
  return parseMatrix(JSON.parse(await readFile(join(dir, 'matrix.json'), 'utf8')));
}

describe('cnimatrix report', () => {
  test('rebuilds the matrix files from one run directory', async () => {
    const dir = await runDir('single', [mixedCell('calico', 'iptables'), cell('kindnet', 'iptables', [pass('dns', 'A')])]);
    const result = await run(reportCommand, [dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('read 2 JUnit files, 2 cells, 8 tests');
    const matrix = await readMatrix(dir);
    expect(matrix.cells.map((c) => c.id)).toEqual(['kindnet-iptables', 'calico-iptables']);
    expect(matrix.summary['calico-iptables']).toEqual({ pass: 3, fail: 1, flaky: 1, unsupported: 1, error: 1 });
    expect(await readFile(join(dir, 'matrix.md'), 'utf8')).toContain('### network-policy');
    expect(await readFile(join(dir, 'matrix.html'), 'utf8')).toContain('<table id="grid">');
  });

  test('merges several run directories; the later input wins for a repeated cell, with a note', async () => {
    const first = await runDir('machine-a', [cell('calico', 'ipvs', [fail('dns', 'A', 'old failure')]), cell('cilium', 'none', [pass('dns', 'A')])]);
    const second = await runDir('machine-b', [cell('calico', 'ipvs', [pass('dns', 'A')]), cell('weave', 'iptables', [pass('dns', 'A')])]);
    const out = join(root, 'merged');
    const result = await run(reportCommand, [first, second, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`note: cell calico-ipvs: ${join(second, 'junit', 'calico-ipvs.xml')} replaces ${join(first, 'junit', 'calico-ipvs.xml')}`);
    const matrix = await readMatrix(out);
    expect(matrix.cells.map((c) => c.id)).toEqual(['calico-ipvs', 'cilium-none', 'weave-iptables']);
    expect(matrix.tests[0]?.results['calico-ipvs']?.status).toBe('pass');
  });

  test('exit 2 naming the file for invalid JUnit, a missing directory or a missing --out', async () => {
    const dir = join(root, 'bad-junit');
    await mkdir(join(dir, 'junit'), { recursive: true });
    await writeFile(join(dir, 'junit', 'calico-ipvs.xml'), '<testsuites><testsuite name="x">');
    const invalid = await run(reportCommand, [dir]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`invalid JUnit file ${join(dir, 'junit', 'calico-ipvs.xml')}: not well-formed XML`);

    const missing = await run(reportCommand, [join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`run directory ${join(root, 'nope')} does not exist`);

    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    const noJUnit = await run(reportCommand, [empty]);
    expect(noJUnit.code).toBe(2);
    expect(noJUnit.stderr).toContain('has no JUnit files');

    const twoDirs = await run(reportCommand, [empty, empty]);
    expect(twoDirs.code).toBe(2);
    expect(twoDirs.stderr).toContain('--out is required');
  });
});

describe('cnimatrix diff', () => {
  let baseDir: string;
  let candDir: string;
  beforeAll(async () => {
    baseDir = join(root, 'diff-base');
    candDir = join(root, 'diff-cand');
    const baseCells = [cell('calico', 'ipvs', [pass('dns', 'A'), pass('dns', 'B')])];
    const candCells = [cell('calico', 'ipvs', [pass('dns', 'A'), fail('dns', 'B', 'NXDOMAIN')])];
    await writeRunReports(baseDir, baseCells, { ...RUN, id: 'base' });
    await writeRunReports(candDir, candCells, { ...RUN, id: 'cand' });
  });

  test('exit 1 on a regression, Markdown to stdout', async () => {
    const result = await run(diffCommand, [baseDir, candDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('| calico-ipvs | dns | B | ✅ pass | ❌ fail | NXDOMAIN |');
    expect(result.stderr).toContain('1 regression and 0 broken cells');
  });

  test('exit 0 without regressions; JSON to a file; matrix.json files as inputs', async () => {
    const out = join(root, 'diff.json');
    const result = await run(diffCommand, [join(candDir, 'matrix.json'), join(baseDir, 'matrix.json'), '--format', 'json', '--out', out]);
    expect(result.code).toBe(0);
    const diff = JSON.parse(await readFile(out, 'utf8'));
    expect(diff.fixes).toEqual([{ cell: 'calico-ipvs', suite: 'dns', name: 'B', from: 'fail', to: 'pass' }]);
    expect(diff.regressions).toEqual([]);
  });

  test('a run directory without matrix.json is rebuilt from its JUnit', async () => {
    const junitOnly = await runDir('diff-junit-only', [cell('calico', 'ipvs', [pass('dns', 'A'), pass('dns', 'B')])]);
    const result = await run(diffCommand, [junitOnly, candDir, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).regressions).toHaveLength(1);
  });

  test('exit 2 on bad input', async () => {
    const badFormat = await run(diffCommand, [baseDir, candDir, '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format "xml" is not one of md, json');

    const notJson = join(root, 'not.json');
    await writeFile(notJson, '{ nope');
    const broken = await run(diffCommand, [notJson, candDir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${notJson} is not a readable JSON file`);

    const wrongSchema = join(root, 'wrong.json');
    await writeFile(wrongSchema, JSON.stringify({ ...buildMatrix([], RUN), schemaVersion: 'other/v9' }));
    const schema = await run(diffCommand, [wrongSchema, candDir]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toContain('is not a cnimatrix matrix: schemaVersion');

    const missing = await run(diffCommand, [join(root, 'missing'), candDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing does not exist');
  });
});
