// The lane seen from a test: prepare.sh's outputs, and `cnimatrix run` as a user on an offline
// machine runs it there (real kind through KIND_BIN, --node-image, --preload, file:// overrides
// only where the pinned URL is a GitHub download).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestPins } from '../../../clusters/versions.ts';
import { PROJECT_PATH } from '../../cli/spawn.ts';

const HERE = new URL('.', import.meta.url).pathname;
/** A cold prepare builds Kubernetes from source: ~15–30 min on 2 cores. */
export const PREPARE_MS = 60 * 60_000;

export interface Lane {
  BIN: string;
  DOCKER_HOST: string;
  NODE_IMAGE: string;
  FLANNEL_MANIFEST: string;
  /** The release an upgrade cell starts from (flannelReleases in clusters/versions.ts). */
  FLANNEL_FROM_MANIFEST: string;
  BRIDGE_TARBALL: string;
  KINDNETD: 'yes' | 'no';
}

/** Runs prepare.sh (each step cached) and reads its KEY=value lines. */
export function prepareLane(): Lane {
  const out = execFileSync('bash', [join(HERE, 'prepare.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(lines) as Lane;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A folder holding the cnimatrix.config.yaml such a user writes. */
export function laneWorkDir(lane: Lane): string {
  const work = mkdtempSync(join(tmpdir(), 'cnimatrix-lane-'));
  const config = [
    'overrides:',
    '  manifests:',
    `    ${manifestPins.flannel.id}: { url: "file://${lane.FLANNEL_MANIFEST}", sha256: "${manifestPins.flannel.sha256}" }`,
    `    ${manifestPins.flannelV0267.id}: { url: "file://${lane.FLANNEL_FROM_MANIFEST}", sha256: "${manifestPins.flannelV0267.sha256}" }`,
    `    cni-bridge-plugin: { url: "file://${lane.BRIDGE_TARBALL}", sha256: "${sha256(lane.BRIDGE_TARBALL)}" }`,
    '',
  ].join('\n');
  writeFileSync(join(work, 'cnimatrix.config.yaml'), config);
  return work;
}

/** The arguments every lane run gives: 3 nodes, the lane's node image, images preloaded. */
export function laneRunArgs(lane: Lane, work: string, runId: string): string[] {
  return ['--workers', '2', '--node-image', lane.NODE_IMAGE, '--preload', '--reports-dir', join(work, 'reports'), '--run-id', runId];
}

/** The environment of a user's shell on the lane: the built tools first, the lane engine. */
export function laneEnv(lane: Lane): Record<string, string> {
  return {
    PATH: `${lane.BIN}:${PROJECT_PATH}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: process.env.HOME ?? tmpdir(),
    KIND_BIN: join(lane.BIN, 'kind'),
    DOCKER_HOST: lane.DOCKER_HOST,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    ...(process.env.CNIMATRIX_CACHE_DIR === undefined ? {} : { CNIMATRIX_CACHE_DIR: process.env.CNIMATRIX_CACHE_DIR }),
  };
}

/** kind clusters on the lane engine whose name holds `runId`. */
export function laneClusters(lane: Lane, runId: string): string[] {
  const out = execFileSync(join(lane.BIN, 'kind'), ['get', 'clusters'], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: lane.DOCKER_HOST }, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((name) => name.includes(runId));
}

/** Containers on the lane engine whose name holds `runId` (kind names its nodes after the cluster). */
export function laneContainers(lane: Lane, runId: string): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: lane.DOCKER_HOST } });
  return out.split('\n').filter((name) => name.includes(runId));
}
