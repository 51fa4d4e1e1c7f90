// A cell's lifecycle is a list of small named actions, each with one job (kind's style).
import type { PhaseName } from '../model/results.ts';
import type { CellContext } from './context.ts';

export interface Action {
  phase: PhaseName;
  /** Returns a reason when the action does not apply to this cell (recorded as skipped). */
  skip?(ctx: CellContext): string | undefined;
  /**
   * An interrupt stops waiting for the action at once, unless it is not interruptible: then it
   * finishes first, so that the cleanup after it cannot race it (a delete during a create).
   */
  interruptible?: false;
  run(ctx: CellContext): Promise<void>;
}
