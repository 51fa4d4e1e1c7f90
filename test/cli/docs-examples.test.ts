// The commands the README and docs/ tell users to type, planned as written: an example that the
// pins or the plan rules have made unrunnable (a refused or unsupported cell) fails here.
import { expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_TIMEOUT_MS, cnimatrix, REPO } from './spawn.ts';

/** The flags `plan` shares with `run` and `doctor`: those that decide which cells are planned. */
const PLAN_FLAGS = new Set(['--cni', '--proxy-mode', '--suites', '--workers', '--parallel', '--node-image']);

interface Example {
  file: string;
  command: string;
  planArgs: string[];
}

function examples(): Example[] {
  const files = ['README.md', ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];
  const found: Example[] = [];
  for (const file of files) {
    for (const line of readFileSync(path.join(REPO, file), 'utf8').split('\n')) {
      const match = /npx cnimatrix (run|doctor|plan) ([^#`]*)/.exec(line);
      if (match === null || !match[2]!.includes('--cni')) continue;
      const tokens = match[2]!.trim().split(/\s+/);
      const planArgs: string[] = [];
      for (let i = 0; i < tokens.length; i++) if (PLAN_FLAGS.has(tokens[i]!)) planArgs.push(tokens[i]!, tokens[++i]!);
      found.push({ file, command: match[0].trim(), planArgs });
    }
  }
  return found;
}

const all = examples();

test('the docs have examples to plan', () => {
  expect(all.map((e) => e.file)).toEqual(expect.arrayContaining(['README.md', path.join('docs', 'github-actions.md')]));
});

test.each(all.map((e) => [`${e.file}: ${e.command}`, e] as const))('%s plans only runnable cells, every one it names', async (_name, example) => {
  const result = await cnimatrix(['plan', '--format', 'json', ...example.planArgs]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  const plan = JSON.parse(result.stdout) as { cells: unknown[]; unsupported: Array<{ id: string }>; refused: Array<{ id: string }> };
  expect(plan.cells.length).toBeGreaterThan(0);
  expect(plan.refused).toEqual([]);
  expect(plan.unsupported).toEqual([]);
}, CLI_TIMEOUT_MS);
