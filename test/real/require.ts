// Access to the real components from a test: their folder, or a printed reason and no tests when
// they cannot be had here. In CI (CI=true) a missing component or privilege is a failure instead.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REAL_BIN_ENV, type ComponentName } from './components.ts';

export const REAL_UNAVAILABLE_ENV = 'CNIMATRIX_REAL_UNAVAILABLE';

export interface RealNeeds {
  root?: boolean;
  /** Programs of this machine the test runs, e.g. dig; each with the Debian package that has it. */
  programs?: Record<string, string>;
}

export function onPath(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why tests on real components cannot run here, or undefined when they can. */
export function realUnavailable(needs: RealNeeds = {}): string | undefined {
  const reason = process.env[REAL_UNAVAILABLE_ENV];
  if (reason) return reason;
  if (!process.env[REAL_BIN_ENV]) return `${REAL_BIN_ENV} is unset (the real project's global setup did not run)`;
  if (needs.root && process.getuid?.() !== 0) return 'network namespaces and nftables rules need root';
  const missing = Object.entries(needs.programs ?? {}).filter(([program]) => !onPath(program));
  if (missing.length > 0) return `missing ${missing.map(([program, pkg]) => `${program} (apt-get install ${pkg})`).join(', ')}`;
  return undefined;
}

/**
 * True when the real tests of `what` can run. Prints why not otherwise; throws in CI, where every
 * real test must run.
 */
export function realTestsRun(what: string, needs: RealNeeds = {}): boolean {
  const reason = realUnavailable(needs);
  if (reason === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${what} must run in CI, but: ${reason}`);
  process.stdout.write(`[real] ${what} skipped: ${reason}\n`);
  return false;
}

export function realBinary(name: ComponentName): string {
  const bin = process.env[REAL_BIN_ENV];
  if (!bin) throw new Error(`${REAL_BIN_ENV} is unset`);
  return join(bin, name);
}
