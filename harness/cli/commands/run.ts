// `cnimatrix run`: the whole matrix — clusters, suites, reports — with cleanup guarantees.
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { CnimatrixError, ExitCode } from '../../model/errors.ts';
import { failureDigest } from '../../report/failures.ts';
import { appendStepSummary, errorAnnotations, inGitHubActions } from '../../report/github-actions.ts';
import { runMatrix } from '../../run/run.ts';
import { addConfigFlags, configFlagsFrom } from '../config-flags.ts';

export function runCommand(): Command {
  const command = new Command('run')
    .description(
      'create a kind cluster per cell, install its CNI (and ingress controller), run the conformance suites, ' +
        'write JUnit per cell and the matrix, and delete the clusters (exit 0 all passed, 1 test failures, ' +
        '4 a cell could not be set up, 130 interrupted)',
    )
    .addOption(new Option('--resume <run-dir>', 'finish an earlier run: run only its cells that have no JUnit yet, with its settings'));
  return addConfigFlags(command).action(async (options: Record<string, unknown>) => {
    const flags = configFlagsFrom(options);
    const config = loadConfig({ cwd: process.cwd(), flags });
    const outcome = await runMatrix({
      config,
      ...(typeof options.resume === 'string' ? { resumeDir: resolve(options.resume) } : {}),
      // With --kubeconfig, the --cni/--proxy-mode flags describe the existing cluster.
      describe: {
        ...(flags.cni !== undefined && config.cnis.length === 1 ? { cni: config.cnis[0] } : {}),
        ...(flags.proxyMode !== undefined && config.proxyModes.length === 1 ? { proxyMode: config.proxyModes[0] } : {}),
      },
    });
    if (inGitHubActions()) {
      for (const line of errorAnnotations(outcome.results)) process.stdout.write(`${line}\n`);
      await appendStepSummary(join(outcome.runDir, 'matrix.md'));
    }
    if (outcome.exitCode === ExitCode.ok) return;
    // What broke, right here: a red run should not need matrix.md to say which checks and why.
    const digest = failureDigest(outcome.results);
    if (digest.length > 0) process.stderr.write(`\nfailed checks:\n${digest.map((line) => `  ${line}\n`).join('')}\n`);
    const failed = outcome.results.filter((r) => r.error || r.tests.some((t) => t.status === 'fail' || t.status === 'error'));
    const message =
      outcome.exitCode === ExitCode.interrupted
        ? 'interrupted'
        : `${failed.length} of ${outcome.results.length} cells failed: ${failed.map((r) => r.cell.id).join(', ')}`;
    throw new CnimatrixError(message, {
      exitCode: outcome.exitCode as ExitCode,
      hint: `see ${outcome.runDir}/matrix.md (and artifacts/ for the troubleshooting bundles)`,
    });
  });
}
