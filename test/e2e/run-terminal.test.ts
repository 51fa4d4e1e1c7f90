// `cnimatrix run` in an interactive terminal: a pseudo-terminal (util-linux `script`), so the
// task-list progress is on, and Ctrl-C typed into it — the terminal sends SIGINT to the whole
// foreground process group, cnimatrix and its children alike. The run must still clean up, print
// the matrix and the resume hint, and exit 130.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { faultEnvName } from '../sim/kind/state.ts';
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
async function interruptInTerminal(args: string[], shown: RegExp, env: Record<string, string> = {}) {
  const command = [process.execPath, join(PROJECT_ROOT, 'bin', 'cnimatrix.js'), ...args].map(quote).join(' ');
  // A pseudo-terminal has no size until one is set; listr2 wraps at its width.
  const run = execa('script', ['-qfec', `stty cols 160 rows 50; exec ${command}`, '/dev/null'], {
    cwd: world.dir,
    // A terminal, not CI: the task list renders and listr2 is in charge of the screen.
    env: { ...world.env, CI: '', GITHUB_ACTIONS: '', TERM: 'xterm-256color', ...env },
    reject: false,
    all: true,
    stdin: 'pipe',
  });
  let screen = '';
  let typedAt: number | undefined;
  run.all?.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (typedAt === undefined && shown.test(withoutAnsi(screen))) {
      typedAt = Date.now();
      run.stdin?.write(CTRL_C);
    }
  });
  const result = await run;
  const exitedAfterMs = typedAt === undefined ? undefined : Date.now() - typedAt;
  return { typed: typedAt !== undefined, exitedAfterMs, exitCode: result.exitCode, output: withoutAnsi(result.all ?? '') };
}

describe('Ctrl-C in a terminal', () => {
  const cell = 'calico-iptables';
  // Every phase of a cell, as the task list names it; mid-suite it also shows the counts so far and
  // the check running. pod-network makes the cell probe SCTP (probe-capabilities), ingress installs
  // a controller, and the dns suite fails (a sim fault), so the cell reaches collect.
  const shownDuring: Record<string, RegExp> = {
    'create-cluster': /calico-iptables: create-cluster \(/,
    'install-cni': /calico-iptables: install-cni \(/,
    'wait-ready': /calico-iptables: wait-ready \(/,
    'verify-proxy-mode': /calico-iptables: verify-proxy-mode \(/,
    'probe-capabilities': /calico-iptables: probe-capabilities \(/,
    'install-ingress': /calico-iptables: install-ingress \(/,
    'run-suites': /calico-iptables: run-suites \([\d.]+s\) · \d+ passed, \d+ failed · (pod-network|dns|ingress) › /,
    collect: /calico-iptables: collect \(/,
    'delete-cluster': /calico-iptables: delete-cluster \(/,
  };
  // collect and delete-cluster clean up, so they run to their end: by then the suites are done.
  const suitesDone = new Set(['collect', 'delete-cluster']);
  test.each(Object.keys(shownDuring))('during %s: cleanup, matrix, resume hint, exit 130, nothing left', async (phase) => {
    const runId = `tty-${phase}`.slice(0, 20);
    const result = await interruptInTerminal(
      ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'pod-network,dns,ingress', '--run-id', runId],
      shownDuring[phase]!,
      { CNIMATRIX_EXTERNAL_CLIENT: 'off', [faultEnvName(`cnimatrix-${runId}-${cell}`)]: 'dns-no-search-path' },
    );
    expect(result.typed).toBe(true);
    expect({ exitCode: result.exitCode, output: result.output }).toMatchObject({ exitCode: 130 });
    expect(result.output).toMatch(/SIGINT: stopping/);
    expect(result.output).toMatch(/cnimatrix run --resume /);
    const runDir = join(world.reportsDir, runId);
    expect(existsSync(join(runDir, 'matrix.md'))).toBe(true);
    // A cell cut short keeps no JUnit, so --resume runs it again; one whose suites ended keeps it.
    expect(existsSync(join(runDir, 'junit', `${cell}.xml`))).toBe(suitesDone.has(phase));
    if (phase === 'collect') expect(existsSync(join(runDir, 'artifacts', cell, 'README.md'))).toBe(true);
    // The run stops waiting at once: not at the deadline of whatever it was waiting for (minutes).
    expect(result.exitedAfterMs).toBeLessThan(60_000);
    expect(await world.clusters()).toEqual([]);
    expect(world.livePids()).toEqual([]);
  }, 5 * MINUTES);
});
