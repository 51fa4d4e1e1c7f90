// The cnimatrix command line: builds the commander program and maps every outcome to the
// documented exit codes (0 ok, 1 test failures, 2 bad input, 3 environment, 4 infrastructure,
// 130 interrupted).

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CnimatrixError, ExitCode } from '../model/errors.ts';
import { allCommands } from './commands/index.ts';
import { QuietExit } from './quiet-exit.ts';

/** Commander's codes for output that is not an error. */
const INFORMATIONAL = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Commander would exit the process itself; make every command throw instead. */
function throwOnExit(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) throwOnExit(sub);
}

export function buildProgram(commands: Command[] = allCommands()): Command {
  const program = new Command('cnimatrix')
    .description('End-to-end conformance matrix for Kubernetes networking: CNIs x kube-proxy modes on kind clusters')
    .version(packageVersion(), '-V, --version', 'print the cnimatrix version')
    .option('--debug', 'print stack traces of unexpected errors')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command');
  for (const command of commands) program.addCommand(command);
  throwOnExit(program);
  return program;
}

export interface CliOptions {
  /** The subcommands (default: allCommands()). */
  commands?: Command[];
  /** Where error messages go (default: process.stderr). */
  stderr?: (text: string) => void;
}

/** Runs cnimatrix with `argv` (as in process.argv) and returns the exit code. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const debug = argv.includes('--debug');
  const output = { stderr: options.stderr ?? ((text: string) => void process.stderr.write(text)) };
  try {
    await buildProgram(options.commands).parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help); only the exit code is ours.
      // Help shown because a command is missing comes with exit code 1: that is a usage error too.
      return INFORMATIONAL.has(error.code) && error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (error instanceof QuietExit) return error.exitCode;
    if (error instanceof CnimatrixError) {
      output.stderr(error.message.split('\n').map((line) => `error: ${line}\n`).join(''));
      if (error.hint !== undefined) output.stderr(`hint: ${error.hint}\n`);
      if (debug && error.stack !== undefined) output.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    const unexpected = error instanceof Error ? error : new Error(String(error));
    output.stderr(`error: unexpected failure: ${unexpected.message}\n`);
    output.stderr(debug ? `${unexpected.stack ?? ''}\n` : 'hint: run again with --debug for the stack trace, and report it as a bug\n');
    return ExitCode.infrastructure;
  }
}
