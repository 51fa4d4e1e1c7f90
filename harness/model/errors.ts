/** The documented exit codes of every cnimatrix command. */
export const ExitCode = {
  ok: 0,
  testFailures: 1,
  badInput: 2,
  environmentMissing: 3,
  infrastructure: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: what is wrong, what to do, and the exit code it maps to. */
export class CnimatrixError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, opts: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CnimatrixError';
    this.exitCode = opts.exitCode;
    this.hint = opts.hint;
  }
}

export class BadInputError extends CnimatrixError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, ...(hint === undefined ? {} : { hint }) });
    this.name = 'BadInputError';
  }
}
