// The small framework every suite is written in: one live cell, tests that declare the
// capabilities they need, and annotations (unsupported, flaky) that the run turns into results.
import { appendFileSync } from 'node:fs';
import { describe, test } from '@jest/globals';
import { ANNOTATIONS_ENV, CELL_ENV, type Capability, type CellInfo, type SuiteName } from '../../harness/model/cell.ts';
import type { Annotation } from '../../harness/model/results.ts';
import { createKube } from '../../harness/kube/index.ts';
import type { Kube } from '../../harness/kube/types.ts';

let cachedCell: CellInfo | undefined;
let cachedKube: Kube | undefined;

/** The cell under test, as `cnimatrix run` describes it in CNIMATRIX_CELL. */
export function liveCell(): CellInfo {
  if (cachedCell) return cachedCell;
  const raw = process.env[CELL_ENV];
  if (!raw) {
    throw new Error(
      `${CELL_ENV} is not set: suites run against one live cell. Start them with \`cnimatrix run\` ` +
        '(or `cnimatrix run --kubeconfig PATH` for an existing cluster).',
    );
  }
  cachedCell = JSON.parse(raw) as CellInfo;
  return cachedCell;
}

/** The kube adapter for the live cell (KUBECONFIG from the environment). */
export function liveKube(): Kube {
  if (cachedKube) return cachedKube;
  const kubeconfigPath = process.env.KUBECONFIG;
  if (!kubeconfigPath) throw new Error('KUBECONFIG is not set: suites need the kubeconfig of the live cell.');
  cachedKube = createKube({ kubeconfigPath, runId: liveCell().runId });
  return cachedKube;
}

function annotate(annotation: Annotation): void {
  const file = process.env[ANNOTATIONS_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(annotation)}\n`);
}

const groupStack: string[] = [];
let currentSuite: SuiteName | undefined;

/** The root of a suite file: every check inside belongs to `suite`. */
export function conformanceSuite(suite: SuiteName, body: () => void): void {
  describe(suite, () => {
    currentSuite = suite;
    body();
  });
}

/** A named group of checks (a jest describe that also names the checks inside it). */
export function group(title: string, body: () => void): void {
  describe(title, () => {
    groupStack.push(title);
    try {
      body();
    } finally {
      groupStack.pop();
    }
  });
}

export interface CheckOptions {
  /** Capabilities the cell's profile must declare; otherwise the check is unsupported. */
  needs?: Capability[];
  timeoutMs?: number;
  /** Why the check cannot run from here at all (e.g. external client switched off); reported with the check. */
  unavailable?: string;
}

export interface CheckContext {
  /** Full name of this check within its suite, as it appears in reports. */
  name: string;
  /** Records that the check passed only after re-probing; it is then reported flaky. */
  flaked(detail: string): void;
}

function missingCapabilities(cell: CellInfo, needs: Capability[]): Capability[] {
  return needs.filter((capability) => !cell.capabilities.includes(capability));
}

/**
 * One conformance check. Without a needed capability it is skipped and reported unsupported with
 * the reason, unless the run is --strict, which runs it anyway (a CNI that silently ignores
 * policies must be catchable). A capability the live cluster was probed not to have, and a check
 * marked unavailable, skip it with that reason, strict or not.
 */
export function check(title: string, opts: CheckOptions, body: (ctx: CheckContext) => Promise<void>): void {
  const suite = currentSuite;
  if (!suite) throw new Error(`check "${title}" must be declared inside conformanceSuite()`);
  const name = [...groupStack, title].join(' › ');
  const cell = liveCell();
  const needs = opts.needs ?? [];
  const absent = needs.flatMap((c) => (cell.probedAbsent?.[c] === undefined ? [] : [`needs ${c}: ${cell.probedAbsent[c]}`]));
  const missing = missingCapabilities(cell, needs).filter((c) => cell.probedAbsent?.[c] === undefined);
  const undeclared =
    missing.length > 0 && !cell.strict ? `needs ${missing.join(', ')}; the ${cell.cni} profile does not declare ${missing.length > 1 ? 'them' : 'it'}` : undefined;
  const unsupported = absent.length > 0 ? absent.join('; ') : undeclared;
  const detail = opts.unavailable ?? unsupported;
  if (detail !== undefined) {
    annotate({ suite, name, kind: 'unsupported', detail });
    process.stdout.write(`[cnimatrix] ${suite} › ${name}: ${opts.unavailable === undefined ? `unsupported: ${detail}` : detail}\n`);
    test.skip(title, () => undefined);
    return;
  }
  const ctx: CheckContext = {
    name,
    flaked: (detail) => annotate({ suite, name, kind: 'flaky', detail }),
  };
  test(title, () => body(ctx), opts.timeoutMs);
}
