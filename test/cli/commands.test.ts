import { describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CNI_NAMES, PROXY_MODES, cellId } from '../../harness/model/cell.ts';
import { cnimatrix, emptyDir, REPO, CLI_TIMEOUT_MS } from './spawn.ts';

const ALL_CELLS = CNI_NAMES.flatMap((cni) => PROXY_MODES.map((mode) => cellId(cni, mode))).sort();

interface PlanJson {
  runId: string;
  cells: Array<{ id: string; clusterName: string; kindConfigYaml: string }>;
  unsupported: Array<{ id: string; reason: string }>;
  refused: Array<{ id: string; reason: string }>;
}

describe('cnimatrix plan', () => {
  test('--format json accounts for all 20 CNI x proxy-mode combinations; cells whose pins cannot work are refused (exit 4)', async () => {
    const result = await cnimatrix(['plan', '--format', 'json', '--run-id', 'cli-test']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/refused before any cluster was created: cilium-iptables.*pin cilium-cli/);
    const plan = JSON.parse(result.stdout) as PlanJson;
    const ids = [...plan.cells.map((cell) => cell.id), ...plan.unsupported.map((cell) => cell.id), ...plan.refused.map((cell) => cell.id)].sort();
    expect(ids).toEqual(ALL_CELLS);
    for (const unsupported of plan.unsupported) expect(unsupported.reason.length).toBeGreaterThan(10);
    for (const cell of plan.cells) expect(cell.clusterName).toBe(`cnimatrix-cli-test-${cell.id}`);
  }, CLI_TIMEOUT_MS);

  test('flags narrow the plan and the config file is read from the working directory', async () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'cnimatrix.config.yaml'), 'cnis: [kindnet, flannel]\nproxyModes: [iptables]\nrunId: from-file\n');
    const result = await cnimatrix(['plan', '--format', 'yaml', '--cni', 'flannel'], { cwd });
    expect(result.exitCode).toBe(0);
    const plan = parseYaml(result.stdout) as PlanJson;
    expect(plan.runId).toBe('from-file');
    expect(plan.cells.map((cell) => cell.id)).toEqual(['flannel-iptables']);
  }, CLI_TIMEOUT_MS);

  test('the default table names every cell', async () => {
    const result = await cnimatrix(['plan', '--cni', 'kindnet', '--proxy-mode', 'iptables,nftables', '--run-id', 't']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^kindnet-iptables /m);
    expect(result.stdout).toMatch(/^kindnet-nftables /m);
  }, CLI_TIMEOUT_MS);
});

describe('cnimatrix doctor', () => {
  test('without kind and docker it exits 3 and says what is missing and how to get it', async () => {
    const result = await cnimatrix(['doctor', '--cni', 'kindnet', '--proxy-mode', 'iptables'], {
      env: { KIND_BIN: '/nonexistent/kind', PATH: path.join(REPO, 'node_modules', '.bin') },
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^MISSING +docker +the docker CLI is not on PATH$/m);
    expect(result.stdout).toContain('fix: install Docker Engine');
    expect(result.stdout).toMatch(/^MISSING +kind +kind executable not found: \/nonexistent\/kind$/m);
    expect(result.stdout).toContain('or set KIND_BIN to its path');
    expect(result.stderr).toContain('error: missing: docker, kind');
  }, CLI_TIMEOUT_MS);
});

describe('cnimatrix itself', () => {
  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const result = await cnimatrix(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: version });
  }, CLI_TIMEOUT_MS);

  test('--help lists the commands', async () => {
    const result = await cnimatrix(['--help']);
    expect(result.exitCode).toBe(0);
    for (const name of ['plan', 'doctor', 'clean']) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  }, CLI_TIMEOUT_MS);

  test('help for a command exits 0', async () => {
    const result = await cnimatrix(['help', 'clean']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('--dry-run');
  }, CLI_TIMEOUT_MS);

  test('without a command it prints usage and exits 2', async () => {
    const result = await cnimatrix([]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Usage: cnimatrix');
  }, CLI_TIMEOUT_MS);
});
