// SIGINT/SIGTERM handling: the first signal aborts the run and lets every cell clean up; a
// second one forces: the run's clusters are deleted at once and the process exits 130.
import { ExitCode } from '../model/errors.ts';

export interface InterruptHandle {
  readonly signal: AbortSignal;
  readonly interrupted: boolean;
  dispose(): void;
}

export function handleInterrupts(opts: {
  note: (line: string) => void;
  /** Deletes whatever clusters exist right now; awaited before the forced exit. */
  forceCleanup: () => Promise<void>;
  exit?: (code: number) => void;
}): InterruptHandle {
  const controller = new AbortController();
  let count = 0;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const onSignal = (name: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      opts.note(`\n${name}: stopping; deleting this run's clusters before exiting (press Ctrl-C again to force)`);
      controller.abort();
      return;
    }
    if (count === 2) {
      opts.note(`${name} again: forcing; deleting clusters now`);
      void opts.forceCleanup().finally(() => exit(ExitCode.interrupted));
      return;
    }
    exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get interrupted() {
      return count > 0;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
