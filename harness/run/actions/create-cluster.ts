// `kind create cluster` with the cell's rendered config, after its host-side artifacts exist;
// with --preload, the planned images are loaded before anything is installed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { preloadReference, runPrepareStep } from '../../manifests/index.ts';
import { createKube } from '../../kube/index.ts';
import type { Action } from '../action.ts';
import type { CellContext } from '../context.ts';

async function connect(ctx: CellContext): Promise<void> {
  ctx.kube = createKube({ kubeconfigPath: ctx.kubeconfigPath, runId: ctx.config.runId });
}

export const createCluster: Action = {
  phase: 'create-cluster',
  // kind is bounded by its own timeout; deleting a cluster that kind is still creating could leak it.
  interruptible: false,
  skip: (ctx) => (ctx.mode === 'existing' ? 'the cluster exists already (--kubeconfig)' : undefined),
  async run(ctx) {
    const name = ctx.cell.clusterName;
    if (ctx.mode === 'reuse' && (await ctx.kind.getClusters()).includes(name)) {
      ctx.log(`reusing cluster ${name}`);
      ctx.clusterExists = true;
      ctx.alreadyInstalled = true;
      await mkdir(dirname(ctx.kubeconfigPath), { recursive: true });
      await writeFile(ctx.kubeconfigPath, await ctx.kind.getKubeconfig(name), { mode: 0o600 });
      await connect(ctx);
      return;
    }
    for (const step of ctx.cell.prepare) {
      ctx.log(step.description);
      await runPrepareStep(step, { cacheDir: ctx.cacheDir, log: ctx.log });
    }
    await mkdir(dirname(ctx.kubeconfigPath), { recursive: true });
    ctx.log(`kind create cluster --name ${name}`);
    ctx.clusterExists = true;
    await ctx.kind.createCluster({
      name,
      configYaml: ctx.cell.kindConfigYaml,
      image: ctx.nodeImage,
      kubeconfigPath: ctx.kubeconfigPath,
      timeoutMs: ctx.config.timeouts.clusterCreate,
      signal: ctx.signal,
    });
    if (ctx.config.preload) {
      // By tag: kind cannot load by digest (see harness/manifests/preload.ts).
      const images = [...new Set(ctx.cell.images.map(preloadReference))];
      ctx.log(`kind load docker-image: ${images.length} images`);
      await ctx.kind.loadImages(name, images, ctx.signal);
    }
    await connect(ctx);
  },
};
