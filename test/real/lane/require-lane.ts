// Whether the real lane can run on this machine: it needs root (a second Docker engine, bridges,
// iptables), Docker, Go, a C compiler, debootstrap and the real components (test/real/global-setup.ts),
// whose control plane and agnhost its images hold. In CI (CI=true) it must run.
import { onPath, REAL_UNAVAILABLE_ENV } from '../require.ts';

const PROGRAMS: Record<string, string> = {
  dockerd: 'docker.io',
  docker: 'docker.io',
  go: 'a Go toolchain',
  gcc: 'gcc',
  debootstrap: 'debootstrap',
  iptables: 'iptables',
  ip: 'iproute2',
};

/** Why the lane cannot run here, or undefined when it can. */
export function laneUnavailable(): string | undefined {
  const components = process.env[REAL_UNAVAILABLE_ENV];
  if (components) return `the real components cannot be built: ${components}`;
  if (process.getuid?.() !== 0) return 'the lane needs root (a second Docker engine, its bridges and iptables rules)';
  const missing = Object.entries(PROGRAMS).filter(([program]) => !onPath(program));
  if (missing.length > 0) return `missing ${missing.map(([program, what]) => `${program} (${what})`).join(', ')}`;
  return undefined;
}

/** True when the lane's tests of `what` can run; prints why not otherwise; throws in CI. */
export function laneRuns(what: string): boolean {
  const reason = laneUnavailable();
  if (reason === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${what} must run in CI, but: ${reason}`);
  process.stdout.write(`[lane] ${what} skipped: ${reason}\n`);
  return false;
}
