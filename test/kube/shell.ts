// A tiny `sh -c` for exec tests: statements `echo TEXT`, `echo TEXT >&2`, `cat` (copies stdin),
// `sleep SECONDS`, `exit N`, separated by `;`. Anything else exits 127 like a missing command.
import type { ExecHandler } from '../sim/apiserver/index.ts';

export const miniShell: ExecHandler = async ({ command, stdin }) => {
  if (command[0] !== 'sh' || command[1] !== '-c' || command[2] === undefined) {
    return { stdout: '', stderr: `exec: "${command[0]}": executable file not found in $PATH\n`, exitCode: 127 };
  }
  let stdout = '';
  let stderr = '';
  for (const statement of command[2].split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const [verb, ...args] = statement.split(/\s+/);
    if (verb === 'echo') {
      const toStderr = args.at(-1) === '>&2';
      const text = `${(toStderr ? args.slice(0, -1) : args).join(' ')}\n`;
      if (toStderr) stderr += text;
      else stdout += text;
    } else if (verb === 'cat') {
      stdout += stdin ?? '';
    } else if (verb === 'sleep') {
      await new Promise((resolve) => setTimeout(resolve, Number(args[0]) * 1000));
    } else if (verb === 'exit') {
      return { stdout, stderr, exitCode: Number(args[0]) };
    } else {
      return { stdout, stderr: `${stderr}sh: ${verb}: not found\n`, exitCode: 127 };
    }
  }
  return { stdout, stderr, exitCode: 0 };
};
