// An outcome that is not an error but needs an exit code other than 0 (e.g. `policy explain`
// exiting 1 for "denied" after printing why): the command has said everything already.
import { CnimatrixError, type ExitCode } from '../model/errors.ts';

export class QuietExit extends CnimatrixError {
  constructor(exitCode: ExitCode) {
    super('', { exitCode });
    this.name = 'QuietExit';
  }
}
