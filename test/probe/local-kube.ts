// A Kube whose exec runs the command on this machine (the pod is only recorded), so batch scripts
// are executed by a real /bin/sh. Every other method fails loudly if a test reaches it.
import { execFile } from 'node:child_process';
import type { ExecOptions, ExecResult, ExecTarget, Kube } from '../../harness/kube/types.ts';

export interface LocalKube extends Kube {
  execs: { target: ExecTarget; command: string[]; opts: ExecOptions | undefined }[];
}

export function localKube(rewrite: (target: ExecTarget, command: string[]) => string[] = (_t, c) => c): LocalKube {
  const unused = (name: string) => () => Promise.reject(new Error(`${name} is not available in localKube`));
  const execs: LocalKube['execs'] = [];
  return {
    execs,
    server: 'local',
    apply: unused('apply'),
    get: unused('get'),
    list: unused('list'),
    delete: unused('delete'),
    patch: unused('patch'),
    waitFor: unused('waitFor'),
    logs: unused('logs'),
    events: unused('events'),
    exec(target: ExecTarget, command: string[], opts?: ExecOptions): Promise<ExecResult> {
      execs.push({ target, command, opts });
      const [file, ...args] = rewrite(target, command);
      return new Promise((resolve) => {
        execFile(file!, args, { timeout: opts?.timeoutMs }, (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
          resolve({ stdout, stderr, exitCode: code });
        });
      });
    },
  };
}
