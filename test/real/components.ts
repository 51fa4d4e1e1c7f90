// The real components cnimatrix is checked against (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, agnhost), built from the Go modules pinned in test/real/build/go.mod and cached
// by content outside the checkout: the same go.mod, go.sum and Go version give the same cache
// folder, so a warm machine builds nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), 'build');

/** Kubernetes release the components come from; agnhost at this release is 2.56, the pinned image. */
export const KUBERNETES_VERSION = 'v1.34.4';

/** Binary name → Go package, all resolved through test/real/build/go.mod. */
export const COMPONENTS = {
  etcd: 'go.etcd.io/etcd/server/v3',
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
  agnhost: 'k8s.io/kubernetes/test/images/agnhost',
} as const;

export type ComponentName = keyof typeof COMPONENTS;

/** Set to a folder holding all the binaries to use them instead of building. */
export const REAL_BIN_ENV = 'CNIMATRIX_REAL_BIN';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.CNIMATRIX_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cnimatrix');
}

// Without these the binaries report v0.0.0-master, and cnimatrix would record a wrong server version.
function versionFlags(): string {
  const pkg = 'k8s.io/component-base/version';
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  return [
    `-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ].join(' ');
}

async function goVersion(): Promise<string | undefined> {
  try {
    return (await run('go', ['version'])).stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * The cache key: Go's version, the version ldflags, go.mod, go.sum and the component list. The
 * fixed build flags below are not in it: changing them means renaming a component or bumping a pin.
 */
async function buildKey(go: string): Promise<string> {
  const hash = createHash('sha256').update(go).update(versionFlags());
  for (const file of ['go.mod', 'go.sum']) hash.update(await readFile(join(BUILD_DIR, file)));
  hash.update(Object.entries(COMPONENTS).join('\n'));
  return hash.digest('hex').slice(0, 16);
}

function complete(bin: string): boolean {
  return Object.keys(COMPONENTS).every((name) => existsSync(join(bin, name)));
}

export type RealComponents = { bin: string; built: boolean } | { unavailable: string };

/**
 * The folder holding every component, building it when the cache lacks it. `unavailable` names
 * why there is none (no Go toolchain, or the build failed, with its output).
 */
export async function realComponents(log: (line: string) => void = () => {}): Promise<RealComponents> {
  const given = process.env[REAL_BIN_ENV];
  if (given) {
    return complete(given) ? { bin: given, built: false } : { unavailable: `${REAL_BIN_ENV}=${given} lacks one of ${Object.keys(COMPONENTS).join(', ')}` };
  }
  const go = await goVersion();
  if (!go) return { unavailable: 'no Go toolchain (`go version` failed); install Go to build the real components' };
  const bin = join(cacheRoot(), 'real', await buildKey(go), 'bin');
  if (complete(bin)) return { bin, built: false };
  log(`building ${Object.keys(COMPONENTS).join(', ')} from Kubernetes ${KUBERNETES_VERSION} modules into ${bin} (cold: several minutes)`);
  const staging = `${bin}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await run('go', ['build', '-trimpath', `-ldflags=-s -w ${versionFlags()}`, '-o', `${staging}/`, ...Object.values(COMPONENTS)], {
      cwd: BUILD_DIR,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      maxBuffer: 64 * 1024 * 1024,
    });
    // go build names a binary after the last path element that is not a major version: "server".
    await rename(join(staging, 'server'), join(staging, 'etcd'));
    await rm(bin, { recursive: true, force: true });
    await rename(staging, bin);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const output = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-20).join('\n');
    return { unavailable: `building the real components failed in ${BUILD_DIR}:\n${output ?? String(error)}` };
  }
  return { bin, built: true };
}
