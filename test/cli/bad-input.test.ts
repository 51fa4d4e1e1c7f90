import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cnimatrix, emptyDir, CLI_TIMEOUT_MS } from './spawn.ts';

function dirWithConfig(yaml: string): string {
  const dir = emptyDir();
  writeFileSync(path.join(dir, 'cnimatrix.config.yaml'), yaml);
  return dir;
}

const cases: Array<{ name: string; args: string[]; cwd?: () => string; message: string }> = [
  { name: 'misspelt CNI', args: ['plan', '--cni', 'calcio'], message: 'error: --cni: unknown CNI "calcio"; known: kindnet, calico, flannel, cilium, weave; did you mean "calico"?' },
  { name: 'unknown proxy mode', args: ['plan', '--proxy-mode', 'iptables,ebpf'], message: 'error: --proxy-mode: unknown proxy mode "ebpf"; known: iptables, ipvs, nftables, none' },
  { name: 'misspelt suite', args: ['plan', '--suites', 'dnss'], message: 'error: --suites: unknown suite "dnss"; known: pod-network, network-policy, dns, ingress, services; did you mean "dns"?' },
  { name: 'zero parallelism', args: ['plan', '--parallel', '0'], message: 'error: --parallel: expected "auto" or a whole number of clusters from 1 to 16, got "0"' },
  { name: 'unknown keep policy', args: ['run', '--keep', 'sometimes'], message: 'error: --keep: unknown keep policy "sometimes"; known: none, failed, all' },
  { name: 'workers as a word', args: ['plan', '--workers', 'two'], message: 'error: --workers: workers must be a whole number from 0 to 9, got "two"' },
  { name: 'run id with capitals', args: ['plan', '--run-id', 'Nightly'], message: 'error: --run-id: invalid run id "Nightly"' },
  { name: 'duration without unit', args: ['run', '--timeout', 'clusterCreate=5'], message: 'error: --timeout: clusterCreate: invalid duration "5"' },
  { name: 'unknown timeout phase', args: ['run', '--timeout', 'boot=5m'], message: 'error: --timeout: unknown phase "boot" in "boot=5m"; known: clusterCreate, cniReady, ingressReady, suite, teardown' },
  { name: 'unknown plan format', args: ['plan', '--format', 'xml'], message: "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, yaml." },
  { name: 'missing flag value', args: ['plan', '--cni'], message: "error: option '--cni <names>' argument missing" },
  { name: 'unknown flag', args: ['plan', '--cnis', 'calico'], message: "error: unknown option '--cnis'" },
  { name: 'a run-only flag given to images', args: ['images', '--keep', 'always'], message: "error: unknown option '--keep'" },
  { name: 'a run-only flag given to doctor', args: ['doctor', '--preload'], message: "error: unknown option '--preload'" },
  { name: 'unknown command', args: ['plna'], message: "error: unknown command 'plna'\n(Did you mean plan?)" },
  { name: 'explicit config file missing', args: ['plan', '--config', 'nope.yaml'], message: 'error: config file not found: ' },
  { name: 'unknown key in the config file', args: ['plan'], cwd: () => dirWithConfig('proxymodes: [iptables]\n'), message: 'error: cnimatrix.config.yaml: unknown key "proxymodes"; known keys: cnis, proxyModes' },
  { name: 'YAML syntax error', args: ['plan'], cwd: () => dirWithConfig('cnis: [calico\nkeep: all\n'), message: 'error: cnimatrix.config.yaml:2:1: invalid YAML: ' },
  { name: 'kubeconfig together with reuse', args: ['run', '--reuse', '--kubeconfig', '/dev/null'], message: 'error: kubeconfig (--kubeconfig) and reuse (--reuse) cannot be combined' },
  { name: 'kubeconfig that does not exist', args: ['run', '--kubeconfig', '/nonexistent/kubeconfig'], message: 'error: kubeconfig (--kubeconfig) file not found: /nonexistent/kubeconfig' },
  { name: 'node image that is not a reference', args: ['plan', '--node-image', 'Kindest/Node'], message: 'error: --node-image: invalid node image "Kindest/Node"' },
  { name: 'clean with an invalid run id', args: ['clean', '--run', 'Bad_Id'], message: 'error: --run: invalid run id "Bad_Id"' },
  { name: 'doctor with a misspelt CNI', args: ['doctor', '--cni', 'weavenet'], message: 'error: --cni: unknown CNI "weavenet"' },
];

describe('bad input exits with code 2 and says what is wrong', () => {
  test.concurrent.each(cases)('$name', async ({ args, cwd, message }) => {
    const result = await cnimatrix(args, cwd === undefined ? {} : { cwd: cwd() });
    expect(result.stderr).toContain(message);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
  }, CLI_TIMEOUT_MS);
});
