// runTool install steps (cilium-cli): the prepared executable runs with KUBECONFIG set to the cell's
// cluster, its output goes to the cell's log, and a failure names the command and its last line.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunToolStep } from '../../clusters/install-step.ts';
import type { Kube } from '../../harness/kube/types.ts';
import { executeInstallSteps } from '../../harness/run/install-steps.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnimatrix-tool-'));
  writeFileSync(join(dir, 'tool'), '#!/bin/sh\necho "args: $*"\necho "kubeconfig: $KUBECONFIG"\n[ "$1" = install ] || { echo "Error: unknown command $1" >&2; exit 3; }\n', { mode: 0o755 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const step = (args: string[]): RunToolStep => ({ kind: 'runTool', description: 'run the tool', tool: 'the-tool', args, timeoutMs: 10_000 });
const kube = {} as Kube;

describe('runTool steps', () => {
  test('run the prepared executable with the cell kubeconfig and log its output', async () => {
    const logs: string[] = [];
    await executeInstallSteps(kube, [step(['install', '--version=1.19.6'])], {
      cacheDir: dir, log: (l) => logs.push(l), tools: { 'the-tool': join(dir, 'tool') }, kubeconfigPath: '/cells/c1/kubeconfig',
    });
    expect(logs).toEqual(['run the tool', '  args: install --version=1.19.6', '  kubeconfig: /cells/c1/kubeconfig']);
  });

  test('a failing tool fails the step with exit 4, naming the command and its last line', async () => {
    const error = await executeInstallSteps(kube, [step(['uninstall'])], {
      cacheDir: dir, log: () => undefined, tools: { 'the-tool': join(dir, 'tool') }, kubeconfigPath: '/k',
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the-tool uninstall failed (exit 3): Error: unknown command uninstall');
    expect((error as { exitCode: number }).exitCode).toBe(4);
  });

  test('a tool no prepare step produced is a clear error', async () => {
    await expect(executeInstallSteps(kube, [step(['install'])], { cacheDir: dir, log: () => undefined })).rejects.toThrow(
      'install step "run the tool" needs the prepared tool the-tool and the cell\'s kubeconfig',
    );
  });
});
