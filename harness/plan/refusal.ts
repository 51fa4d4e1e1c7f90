// The error `plan` and `run` end with while a request holds cells that cannot run as pinned.

import { CnimatrixError, ExitCode } from '../model/errors.ts';
import type { RefusedCell } from './types.ts';
import { counted } from '../model/count.ts';

export function refusedCellsError(refused: readonly RefusedCell[]): CnimatrixError {
  const pins = [...new Map(refused.flatMap((r) => r.pins).map((p) => [p.id, p])).values()];
  const cnis = [...new Set(refused.map((r) => r.cni))];
  return new CnimatrixError(
    `${counted(refused.length, 'cell')} cannot run as pinned and were refused before any cluster was created: ${refused.map((r) => r.id).join(', ')}; ` +
      pins.map((p) => `pin ${p.id} (${p.url}): ${p.problem}`).join('; '),
    {
      exitCode: ExitCode.infrastructure,
      hint: `${pins.map((p) => `${p.id}: ${p.fix}`).join('; ')}; or leave ${cnis.join(', ')} out of --cni`,
    },
  );
}
