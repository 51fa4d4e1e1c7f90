// Test helper: runs the real bin/cnimatrix.js as a user would.

import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(REPO, 'bin', 'cnimatrix.js');
/** Only the project's own tools (Node 24 among them): no docker, no kind. */
export const PROJECT_PATH = path.join(REPO, 'node_modules', '.bin');

/** Each spawn starts Node and loads the CLI; on a busy machine that takes seconds. */
export const CLI_TIMEOUT_MS = 60_000;

export function emptyDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cnimatrix-cli-'));
}

export async function cnimatrix(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = await execa(BIN, args, {
    reject: false,
    cwd: options.cwd ?? emptyDir(),
    extendEnv: false,
    env: { PATH: `${PROJECT_PATH}:/usr/bin:/bin`, HOME: process.env.HOME ?? tmpdir(), ...options.env },
    timeout: 60_000,
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
