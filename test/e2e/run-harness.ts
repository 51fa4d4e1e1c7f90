// Runs the real `cnimatrix` command against simulated kind clusters: the fake kind executable
// (KIND_BIN) and stand-in manifests (overrides, file:// with sha256), so every product layer —
// config, plan, kind wrapper, kube adapter, suites, reports — runs as it does for a user.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { SIM_KIND_BIN } from '../sim/harness.ts';
import { writeFakeManifests } from './fixtures/fake-manifests.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(PROJECT_ROOT, 'bin', 'cnimatrix.js');

export interface SimWorld {
  dir: string;
  reportsDir: string;
  configFile: string;
  env: Record<string, string>;
  /** Clusters the fake kind still knows about. */
  clusters(): Promise<string[]>;
  /** Pids of simulated cluster processes of this world that are still alive. */
  livePids(): number[];
  cnimatrix(args: string[], extraEnv?: Record<string, string>): ResultPromise<{ reject: false; all: true; env: Record<string, string> }>;
  deleteAllClusters(): Promise<void>;
  dispose(): Promise<void>;
}

export function createSimWorld(): SimWorld {
  const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-e2e-'));
  const simHome = join(dir, 'sim');
  const reportsDir = join(dir, 'reports');
  mkdirSync(simHome, { recursive: true });
  const { overrides } = writeFakeManifests(join(dir, 'manifests'));
  const configFile = join(dir, 'cnimatrix.config.yaml');
  writeFileSync(configFile, stringify({ reportsDir, overrides: { manifests: overrides } }));
  const env: Record<string, string> = {
    KIND_BIN: SIM_KIND_BIN,
    CNIMATRIX_SIM_HOME: simHome,
    XDG_CACHE_HOME: join(dir, 'cache'),
    KUBECONFIG: join(dir, 'kubeconfig'),
    // Plain progress lines, which the interrupt tests read to know the current phase.
    CI: 'true',
    // The sim's faults never heal: a short settle window keeps failing checks quick.
    CNIMATRIX_SETTLE_SECONDS: '1',
  };
  const kind = (args: string[]) => execa(SIM_KIND_BIN, args, { env, reject: false });
  return {
    dir,
    reportsDir,
    configFile,
    env,
    async clusters() {
      const out = await kind(['get', 'clusters']);
      return out.stdout.split('\n').filter((line) => line.trim() !== '');
    },
    livePids() {
      // Cluster processes carry the sim home in their command line; deleted clusters leave no state to ask.
      return readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(simHome);
          } catch {
            return false;
          }
        })
        .map(Number);
    },
    cnimatrix(args, extraEnv = {}) {
      return execa(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extraEnv }, reject: false, all: true });
    },
    async deleteAllClusters() {
      await kind(['delete', 'clusters', '--all']);
    },
    async dispose() {
      await kind(['delete', 'clusters', '--all']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
