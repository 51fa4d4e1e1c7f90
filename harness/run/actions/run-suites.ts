// Runs the requested conformance suites against the live cell.
import { join } from 'node:path';
import type { Action } from '../action.ts';
import { cellInfo, requireKube } from '../context.ts';
import { runSuites as runSuiteProcess } from '../suite-runner.ts';
import { countsText } from '../suite-progress.ts';
import { externalVantage } from '../external-vantage.ts';

export const runSuites: Action = {
  phase: 'run-suites',
  async run(ctx) {
    const suites = ctx.config.suites;
    ctx.log(`suites: ${suites.join(', ')}`);
    // The suites' pods tolerate every taint, so only a cordoned node is out of their reach.
    const nodes = await requireKube(ctx).list('v1', 'Node');
    const schedulableNodes = nodes.filter((n) => (n['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable !== true).length;
    if (schedulableNodes < 2) ctx.log(`${schedulableNodes === 1 ? 'only 1 schedulable node' : 'no schedulable node'}: cross-node checks will be unsupported`);
    const vantage = await externalVantage({ existingCluster: ctx.config.kubeconfig !== undefined, nodes });
    if (vantage.note) ctx.log(vantage.note);
    if (vantage.unavailable) ctx.log(`checks from outside the cluster will be unavailable: ${vantage.unavailable}`);
    // An upgrade cell's checks came first; the suites' follow them.
    const suiteTests = await runSuiteProcess({
      cell: { ...cellInfo(ctx), schedulableNodes, dockerNetwork: vantage.dockerNetwork, ...(vantage.unavailable ? { externalUnavailable: vantage.unavailable } : {}) },
      suites,
      kubeconfigPath: ctx.kubeconfigPath,
      workDir: join(ctx.runDir, 'suites', ctx.cell.id),
      timeoutMs: ctx.config.timeouts.suite * suites.length,
      probeConcurrency: ctx.config.probeConcurrency,
      cancelSignal: ctx.signal,
      onProgress: (event) => {
        if (event.kind === 'group-ended') ctx.log(`${event.group}: ${countsText(event.counts)}`);
        else ctx.status(`${countsText(event.total)} · ${event.check}`);
      },
    });
    ctx.tests = [...ctx.tests, ...suiteTests];
    const failed = suiteTests.filter((t) => t.status === 'fail' || t.status === 'error').length;
    ctx.log(`${suiteTests.length} tests, ${failed} failed`);
  },
};
