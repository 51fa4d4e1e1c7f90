// Executes a profile's install steps (data) against a live cluster: pinned, hash-checked
// manifests with their transforms, generated objects, pinned host tools, and waits.
import { execa } from 'execa';
import type { InstallStep, RunToolStep } from '../../clusters/install-step.ts';
import { CnimatrixError, ExitCode } from '../model/errors.ts';
import type { Kube } from '../kube/types.ts';
import { applyTransforms, fetchPinned, retagForPreload } from '../manifests/index.ts';
import type { CellContext } from './context.ts';

export interface StepOptions {
  cacheDir: string;
  log: (line: string) => void;
  /** Images were preloaded by tag (--preload): digest-pinned references are renamed to match. */
  preloaded?: boolean;
  /** Host paths of the cell's prepared files by prepare-step id: the tools runTool steps run. */
  tools?: Record<string, string>;
  /** The cell's kubeconfig, for runTool steps. */
  kubeconfigPath?: string;
  /** The run's interrupt: waits stop and tools are killed, so nothing outlives the run. */
  signal?: AbortSignal;
}

async function runTool(step: RunToolStep, opts: StepOptions): Promise<void> {
  const bin = opts.tools?.[step.tool];
  if (bin === undefined || opts.kubeconfigPath === undefined) {
    throw new Error(`install step "${step.description}" needs the prepared tool ${step.tool} and the cell's kubeconfig`);
  }
  const command = [step.tool, ...step.args].join(' ');
  const result = await execa(bin, step.args, {
    reject: false,
    all: true,
    stdin: 'ignore',
    env: { KUBECONFIG: opts.kubeconfigPath },
    timeout: step.timeoutMs,
    forceKillAfterDelay: 5000,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  for (const line of result.all.split('\n').filter((l) => l.trim() !== '')) opts.log(`  ${line}`);
  if (result.exitCode === 0) return;
  const last = result.all.trim().split('\n').at(-1) ?? '';
  throw new CnimatrixError(
    result.timedOut ? `${command}: did not finish within ${step.timeoutMs / 1000}s` : `${command} failed (exit ${result.exitCode ?? result.signal ?? '?'}): ${last}`,
    { exitCode: ExitCode.infrastructure, hint: `its whole output is in the cell's log above; run ${bin} ${step.args.join(' ')} with KUBECONFIG=${opts.kubeconfigPath} to retry by hand` },
  );
}

/** How a cell runs its CNI's install steps: its cache, log, preload setting, prepared tools, kubeconfig and interrupt. */
export function cellStepOptions(ctx: CellContext): StepOptions {
  return {
    cacheDir: ctx.cacheDir,
    log: ctx.log,
    preloaded: ctx.config.preload,
    tools: Object.fromEntries(ctx.cell.prepare.map((step) => [step.id, step.hostPath])),
    kubeconfigPath: ctx.kubeconfigPath,
    signal: ctx.signal,
  };
}

export async function executeInstallSteps(kube: Kube, steps: readonly InstallStep[], opts: StepOptions): Promise<void> {
  for (const step of steps) {
    opts.log(step.description);
    switch (step.kind) {
      case 'applyManifest': {
        // The plan already resolved overrides.manifests into step.manifest.
        const text = await fetchPinned(step.manifest, { cacheDir: opts.cacheDir, log: opts.log });
        const transformed = applyTransforms(text, step.transforms, step.manifest.url);
        await kube.apply(opts.preloaded === true ? retagForPreload(transformed, step.manifest.url) : transformed, { mode: step.manifest.mode, signal: opts.signal });
        break;
      }
      case 'applyObjects':
        await kube.apply(step.objects, { mode: step.mode, signal: opts.signal });
        break;
      case 'runTool':
        await runTool(step, opts);
        break;
      case 'wait':
        await kube.waitFor(step.condition, step.timeoutMs, opts.signal);
        break;
    }
  }
}
