import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { buildProgram, runCli } from '../../harness/cli/main.ts';
import { BadInputError, CnimatrixError } from '../../harness/model/errors.ts';
import { documentedConfig } from '../../harness/config/index.ts';
import { planCommand } from '../../harness/cli/commands/plan.ts';
import { runCommand } from '../../harness/cli/commands/run.ts';

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

function capture() {
  let text = '';
  return { stderr: (chunk: string) => void (text += chunk), text: () => text };
}

function throwing(error: unknown): Command {
  return new Command('boom').description('fails').action(() => {
    throw error;
  });
}

describe('the program', () => {
  test('every command and flag has a description', () => {
    for (const command of everyCommand(buildProgram())) {
      expect(command.description()).not.toBe('');
      for (const option of command.options) expect([command.name(), option.flags, option.description]).not.toContainEqual('');
    }
  });

  test('run takes every documented flag; plan, doctor and images only those that decide the cells', () => {
    const flags = runCommand().options.map((option) => option.flags);
    const planFlags = planCommand().options.map((option) => option.flags);
    expect(planFlags).toContain('--cni <names>');
    expect(planFlags).not.toContain('--keep <policy>');
    for (const option of documentedConfig) {
      // A switch (one with a --no- form) also takes an explicit value: `--strict [true|false]`.
      if (option.flag !== undefined) expect(flags).toContain(option.flag.negation === undefined ? option.flag.spec : `${option.flag.spec} [true|false]`);
    }
  });

  test('a CnimatrixError prints its message and hint and exits with its code', async () => {
    const output = capture();
    const code = await runCli(['node', 'cnimatrix', 'boom'], {
      commands: [throwing(new CnimatrixError('cluster x could not start', { exitCode: 4, hint: 'look at the logs' }))],
      stderr: output.stderr,
    });
    expect(code).toBe(4);
    expect(output.text()).toBe('error: cluster x could not start\nhint: look at the logs\n');
  });

  test('each line of a multi-line error is marked', async () => {
    const output = capture();
    const code = await runCli(['node', 'cnimatrix', 'boom'], { commands: [throwing(new BadInputError('a: bad\nb: bad'))], stderr: output.stderr });
    expect(code).toBe(2);
    expect(output.text()).toBe('error: a: bad\nerror: b: bad\n');
  });

  test('an unexpected error exits 4, with the stack only under --debug', async () => {
    const quiet = capture();
    expect(await runCli(['node', 'cnimatrix', 'boom'], { commands: [throwing(new TypeError('x is undefined'))], stderr: quiet.stderr })).toBe(4);
    expect(quiet.text()).toContain('error: unexpected failure: x is undefined');
    expect(quiet.text()).not.toContain('    at ');
    const loud = capture();
    expect(await runCli(['node', 'cnimatrix', '--debug', 'boom'], { commands: [throwing(new TypeError('x is undefined'))], stderr: loud.stderr })).toBe(4);
    expect(loud.text()).toContain('TypeError: x is undefined\n    at ');
  });

  test('--debug is accepted after the command too', async () => {
    const loud = capture();
    expect(await runCli(['node', 'cnimatrix', 'boom', '--debug'], { commands: [throwing(new Error('late'))], stderr: loud.stderr })).toBe(4);
    expect(loud.text()).toContain('Error: late\n    at ');
  });
});
