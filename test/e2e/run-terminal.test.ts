// `cnimatrix run` in an interactive terminal: a pseudo-terminal (util-linux `script`), so the
// task-list progress is on, and Ctrl-C typed into it — the terminal sends SIGINT to the whole
// foreground process group, cnimatrix and its children alike. The run must still clean up, print
// the matrix and the resume hint, and exit 130.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { createSimWorld, PROJECT_ROOT, type SimWorld } from './run-harness.ts';

const MINUTES = 60_000;
const CTRL_C = '\x03';
let world: SimWorld;

beforeAll(() => {
  world = createSimWorld();
});

afterEach(async () => {
  await world.deleteAllClusters();
});

afterAll(async () => {
  await world.dispose();
});

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
// eslint-disable-next-line no-control-regex
const withoutAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** Runs cnimatrix under a pseudo-terminal and types Ctrl-C once the task list shows `shown`. */
async function interruptInTerminal(args: string[], shown: RegExp) {
  const command = [process.execPath, join(PROJECT_ROOT, 'bin', 'cnimatrix.js'), ...args].map(quote).join(' ');
  // A pseudo-terminal has no size until one is set; listr2 wraps at its width.
  const run = execa('script', ['-qfec', `stty cols 160 rows 50; exec ${command}`, '/dev/null'], {
    cwd: world.dir,
    // A terminal, not CI: the task list renders and listr2 is in charge of the screen.
    env: { ...world.env, CI: '', GITHUB_ACTIONS: '', TERM: 'xterm-256color' },
    reject: false,
    all: true,
    stdin: 'pipe',
  });
  let screen = '';
  let typed = false;
  run.all?.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!typed && shown.test(withoutAnsi(screen))) {
      typed = true;
      run.stdin?.write(CTRL_C);
    }
  });
  const result = await run;
  return { typed, exitCode: result.exitCode, output: withoutAnsi(result.all ?? '') };
}

describe('Ctrl-C in a terminal', () => {
  // Mid-suite, the task list shows the cell's counts so far and the check running.
  const shownDuring = {
    'create-cluster': /kindnet-iptables: create-cluster \(/,
    'wait-ready': /kindnet-iptables: wait-ready \(/,
    'run-suites': /kindnet-iptables: run-suites \([\d.]+s\) · \d+ passed, 0 failed · dns › /,
  };
  test.each(Object.keys(shownDuring) as (keyof typeof shownDuring)[])('during %s: cleanup, matrix, resume hint, exit 130, nothing left', async (phase) => {
    const runId = `tty-${phase}`;
    const result = await interruptInTerminal(
      ['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'dns', '--run-id', runId],
      shownDuring[phase],
    );
    expect(result.typed).toBe(true);
    expect({ exitCode: result.exitCode, output: result.output }).toMatchObject({ exitCode: 130 });
    expect(result.output).toMatch(/SIGINT: stopping/);
    expect(result.output).toMatch(/cnimatrix run --resume /);
    const runDir = join(world.reportsDir, runId);
    expect(existsSync(join(runDir, 'matrix.md'))).toBe(true);
    expect(existsSync(join(runDir, 'junit', 'kindnet-iptables.xml'))).toBe(false);
    expect(await world.clusters()).toEqual([]);
    expect(world.livePids()).toEqual([]);
  }, 5 * MINUTES);
});
