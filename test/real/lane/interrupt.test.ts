// SIGINT to `cnimatrix run`'s process group (what a terminal's Ctrl-C sends) once in each phase of a
// real flannel cell on the lane (create-cluster twice: before kind starts and while it makes the
// nodes): the run cleans up (no cluster, no node container left), prints the resume hint and exits
// 130 within a minute; the run interrupted mid-suites is then finished by `cnimatrix run --resume`.
// install-ingress and collect are not reached here: no suite asks for an ingress controller (none
// can be built here) and a passing cell collects nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import type { Matrix } from '../../../harness/report/matrix.ts';
import { BIN as CNIMATRIX } from '../../cli/spawn.ts';
import { laneClusters, laneContainers, laneEnv, laneRunArgs, laneWorkDir, prepareLane, PREPARE_MS, type Lane } from './lane.ts';
import { laneRuns } from './require-lane.ts';

const MINUTES = 60_000;
const CELL = 'flannel-iptables';
/** pod-network makes the cell probe its capabilities; dns is quick. */
const SUITES = 'pod-network,dns';
/** When to send SIGINT: once the output matches, after `afterMs` more. */
interface Moment {
  shown: RegExp;
  afterMs?: number;
}
const during: Record<string, Moment> = {
  // Before kind starts (the prepare step), and with kind's nodes half made.
  'create-cluster': { shown: new RegExp(`${CELL} +create-cluster …`) },
  'create-cluster, kind running': { shown: new RegExp(`${CELL} +kind create cluster --name`), afterMs: 10_000 },
  'install-cni': { shown: new RegExp(`${CELL} +install-cni …`) },
  'wait-ready': { shown: new RegExp(`${CELL} +wait-ready …`) },
  'verify-proxy-mode': { shown: new RegExp(`${CELL} +verify-proxy-mode …`) },
  'probe-capabilities': { shown: new RegExp(`${CELL} +probe-capabilities …`) },
  'run-suites': { shown: new RegExp(`${CELL} +(dns|pod-network) › [^:]+: \\d+ passed`) },
  'delete-cluster': { shown: new RegExp(`${CELL} +delete-cluster …`) },
};

(laneRuns('SIGINT in each phase of a real cell') ? describe : describe.skip)('SIGINT in each phase of a real cell', () => {
  let lane: Lane;
  let work: string;

  beforeAll(() => {
    lane = prepareLane();
    work = laneWorkDir(lane);
  }, PREPARE_MS);

  const run = (args: string[]) =>
    execa(CNIMATRIX, args, { cwd: work, reject: false, extendEnv: false, env: laneEnv(lane), all: true, detached: true, timeout: 15 * MINUTES });

  /** Starts a run and sends SIGINT to its process group at `moment`. */
  async function interrupted(runId: string, moment: Moment) {
    const child = run(['run', '--cni', 'flannel', '--proxy-mode', 'iptables', '--suites', SUITES, ...laneRunArgs(lane, work, runId)]);
    let output = '';
    let armed = false;
    let sentAt: number | undefined;
    const send = () => {
      sentAt = Date.now();
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    };
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!armed && moment.shown.test(output)) {
        armed = true;
        setTimeout(send, moment.afterMs ?? 0);
      }
    });
    const result = await child;
    return { sent: sentAt !== undefined, exitedAfterMs: sentAt === undefined ? undefined : Date.now() - sentAt, exitCode: result.exitCode, output };
  }

  test.each(Object.keys(during))('during %s: exit 130 within a minute, resume hint, nothing left on the engine', async (phase) => {
    const runId = `int-${phase.replaceAll(/[^a-z]+/g, '-')}`.slice(0, 20);
    const result = await interrupted(runId, during[phase]!);
    expect(result.sent).toBe(true);
    expect({ exitCode: result.exitCode, tail: result.output.slice(-1500) }).toMatchObject({ exitCode: 130 });
    expect(result.output).toMatch(/cnimatrix run --resume /);
    expect(result.exitedAfterMs).toBeLessThan(MINUTES);
    expect(laneClusters(lane, runId)).toEqual([]);
    expect(laneContainers(lane, runId)).toEqual([]);
    // A cell cut short keeps no JUnit, so --resume runs it again; one whose suites ended keeps it.
    expect(existsSync(join(work, 'reports', runId, 'junit', `${CELL}.xml`))).toBe(phase === 'delete-cluster');
  }, 15 * MINUTES);

  test('the run interrupted mid-suites is finished by --resume: the cell runs again and passes', async () => {
    const runDir = join(work, 'reports', 'int-run-suites');
    const result = await run(['run', '--resume', runDir]);
    expect({ exitCode: result.exitCode, tail: result.all?.slice(-1500) }).toMatchObject({ exitCode: 0 });
    const matrix = JSON.parse(readFileSync(join(runDir, 'matrix.json'), 'utf8')) as Matrix;
    expect(matrix.cells.map((cell) => [cell.id, cell.error])).toEqual([[CELL, undefined]]);
    expect(matrix.tests.filter((check) => check.results[CELL]?.status === 'pass').length).toBeGreaterThan(10);
    expect(laneClusters(lane, 'int-run-suites')).toEqual([]);
  }, 15 * MINUTES);
});
