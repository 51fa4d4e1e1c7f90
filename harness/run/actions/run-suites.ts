// Runs the requested conformance suites against the live cell.
import { join } from 'node:path';
import type { Action } from '../action.ts';
import { cellInfo } from '../context.ts';
import { runSuites as runSuiteProcess } from '../suite-runner.ts';

export const runSuites: Action = {
  phase: 'run-suites',
  async run(ctx) {
    const suites = ctx.config.suites;
    ctx.log(`suites: ${suites.join(', ')}`);
    ctx.tests = await runSuiteProcess({
      cell: cellInfo(ctx),
      suites,
      kubeconfigPath: ctx.kubeconfigPath,
      workDir: join(ctx.runDir, 'suites', ctx.cell.id),
      timeoutMs: ctx.config.timeouts.suite * suites.length,
      cancelSignal: ctx.signal,
    });
    const failed = ctx.tests.filter((t) => t.status === 'fail' || t.status === 'error').length;
    ctx.log(`${ctx.tests.length} tests, ${failed} failed`);
  },
};
