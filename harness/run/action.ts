// A cell's lifecycle is a list of small named actions, each with one job (kind's style).
import type { PhaseName } from '../model/results.ts';
import type { CellContext } from './context.ts';

export interface Action {
  phase: PhaseName;
  /** Returns a reason when the action does not apply to this cell (recorded as skipped). */
  skip?(ctx: CellContext): string | undefined;
  run(ctx: CellContext): Promise<void>;
}
