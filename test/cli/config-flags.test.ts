import { expect, test } from '@jest/globals';
import { Command } from 'commander';
import { addConfigFlags, configFlagsFrom } from '../../harness/cli/config-flags.ts';
import type { ConfigFlags } from '../../harness/config/index.ts';

function parse(args: string[]): ConfigFlags {
  let flags: ConfigFlags | undefined;
  const command = addConfigFlags(new Command('probe')).action((options: Record<string, unknown>) => {
    flags = configFlagsFrom(options);
  });
  command.exitOverride().parse(args, { from: 'user' });
  if (flags === undefined) throw new Error('action did not run');
  return flags;
}

test('absent flags stay absent, so the config file keeps its values', () => {
  expect(parse([])).toEqual({});
});

test('every flag reaches the configuration under its own name', () => {
  expect(
    parse([
      '--config', 'ci.yaml', '--cni', 'calico', '--proxy-mode', 'none', '--suites', 'dns', '--parallel', '2', '--keep', 'all',
      '--strict', '--reports-dir', 'out', '--run-id', 'r1', '--node-image', 'kindest/node:v1.37.0', '--workers', '1',
      '--timeout', 'suite=5m', '--timeout', 'cniReady=2m', '--kubeconfig', 'kc', '--reuse', '--preload',
      '--upgrade', 'flannel:v0.26.7..v0.27.4', '--upgrade-max-gap', '5s',
    ]),
  ).toEqual({
    config: 'ci.yaml', cni: 'calico', proxyMode: 'none', suites: 'dns', parallel: '2', keep: 'all', strict: true, reportsDir: 'out',
    runId: 'r1', nodeImage: 'kindest/node:v1.37.0', workers: '1', timeout: ['suite=5m', 'cniReady=2m'], kubeconfig: 'kc', reuse: true, preload: true,
    upgrade: 'flannel:v0.26.7..v0.27.4', upgradeMaxGap: '5s',
  });
});

test('--no-strict, --no-reuse and --no-preload turn file settings off', () => {
  expect(parse(['--no-strict', '--no-reuse', '--no-preload'])).toEqual({ strict: false, reuse: false, preload: false });
});

test('switches also take an explicit value: --strict=false, --reuse=true', () => {
  expect(parse(['--strict=false', '--reuse=true', '--preload', 'no'])).toEqual({ strict: false, reuse: true, preload: false });
  expect(parse(['--strict'])).toEqual({ strict: true });
  expect(() => parse(['--strict=maybe'])).toThrow(/--strict takes true or false, not "maybe"/);
});
