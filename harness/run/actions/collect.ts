// Collects the troubleshooting bundle when the cell failed anywhere.
import type { Action } from '../action.ts';
import { collectBundle } from '../bundle.ts';

function failures(ctx: Parameters<Action['run']>[0]): string[] {
  const tests = ctx.tests.filter((t) => t.status === 'fail' || t.status === 'error').map((t) => `${t.suite} › ${t.name}`);
  return ctx.failedPhase ? [`phase ${ctx.failedPhase}`, ...tests] : tests;
}

export const collect: Action = {
  phase: 'collect',
  skip: (ctx) => (failures(ctx).length === 0 ? 'the cell passed' : undefined),
  async run(ctx) {
    const files = await collectBundle(ctx, failures(ctx));
    ctx.log(`troubleshooting bundle: ${files.length} files in ${ctx.artifactsDir}`);
  },
};
