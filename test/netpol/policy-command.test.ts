// `cnimatrix policy eval|explain` at the Command level, with captured output.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CommanderError, type Command } from 'commander';
import { policyCommand } from '../../harness/cli/commands/policy.ts';
import { CnimatrixError, ExitCode } from '../../harness/model/errors.ts';
import { policy, xyzModel } from './fixtures.ts';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function overrideExits(command: Command): void {
  command.exitOverride();
  command.commands.forEach(overrideExits);
}

async function run(args: string[], stdin = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const command = policyCommand({ stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, async () => stdin);
  overrideExits(command);
  command.configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  command.commands.forEach((sub) => sub.configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) }));
  try {
    await command.parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CnimatrixError) return { code: error.exitCode, stdout, stderr: `${stderr}${error.message}\n${error.hint ?? ''}` };
    if (error instanceof CommanderError) return { code: ExitCode.badInput, stdout, stderr };
    throw error;
  }
}

let dir: string;
const scenario = {
  ...xyzModel(),
  policies: [
    policy('y', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('y', 'allow-x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] }),
  ],
  probes: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnimatrix-policy-'));
  await writeFile(join(dir, 'one.json'), JSON.stringify(scenario));
  await writeFile(join(dir, 'many.json'), JSON.stringify([scenario, { ...scenario, policies: [] }]));
  await writeFile(join(dir, 'broken.json'), '{"pods": [');
  const bad = structuredClone(scenario);
  (bad.policies[1]!.spec.podSelector as Record<string, unknown>) = { matchExpressions: [{ key: 'pod', operator: 'Inn', values: ['a'] }] };
  await writeFile(join(dir, 'bad-field.json'), JSON.stringify([scenario, bad]));
  await writeFile(join(dir, 'one.yaml'), 'pods:\n  - {namespace: x, name: a, ip: 10.0.0.1}\n  - {namespace: x, name: b, ip: 10.0.0.2}\npolicies:\n  - metadata: {name: deny, namespace: x}\n    spec: {podSelector: {matchLabels: {}}}\nprobes:\n  - port: 80\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy eval', () => {
  test('one scenario prints its tables keyed by probe, source and destination', async () => {
    const result = await run(['eval', join(dir, 'one.json')]);
    expect(result.code).toBe(0);
    const tables = JSON.parse(result.stdout) as Record<string, Record<string, Record<string, boolean>>>;
    expect(Object.keys(tables)).toEqual(['80/TCP', '53/UDP']);
    expect(tables['80/TCP']!['x/a']!['y/a']).toBe(true);
    expect(tables['80/TCP']!['x/a']!['y/b']).toBe(false);
    expect(tables['53/UDP']!['z/a']!['y/a']).toBe(false);
    expect(Object.keys(tables['80/TCP']!['x/a']!)).toHaveLength(9);
  });

  test('an array of scenarios prints an array in the same order', async () => {
    const result = await run(['eval', join(dir, 'many.json')]);
    const tables = JSON.parse(result.stdout) as Record<string, Record<string, Record<string, boolean>>>[];
    expect(tables).toHaveLength(2);
    expect(tables[0]!['80/TCP']!['x/a']!['y/b']).toBe(false);
    expect(tables[1]!['80/TCP']!['x/a']!['y/b']).toBe(true);
  });

  test('"-" reads standard input', async () => {
    const result = await run(['eval', '-'], JSON.stringify(scenario));
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Record<string, unknown>)['80/TCP']).toBeDefined();
  });

  test('YAML files are read by extension', async () => {
    const result = await run(['eval', join(dir, 'one.yaml')]);
    expect(JSON.parse(result.stdout)).toEqual({ '80/TCP': { 'x/a': { 'x/a': true, 'x/b': false }, 'x/b': { 'x/a': false, 'x/b': true } } });
  });

  test('--table prints ASCII grids', async () => {
    const result = await run(['eval', join(dir, 'one.json'), '--table']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('80/TCP\n    x/a x/b x/c y/a y/b y/c z/a z/b z/c\nx/a   .   .   .   .   X   X   .   .   .\n');
    expect(result.stdout).toContain('53/UDP\n');
    expect(result.stdout).toMatch(/^[\x20-\x7e\n]*$/);
  });

  test('invalid JSON exits 2 naming the file', async () => {
    const result = await run(['eval', join(dir, 'broken.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'broken.json')} is not valid JSON`);
  });

  test('a bad field exits 2 naming its path, the value and the valid values', async () => {
    const result = await run(['eval', join(dir, 'bad-field.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scenarios[1].policies[1].spec.podSelector.matchExpressions[0].operator: "Inn" is not one of In, NotIn, Exists, DoesNotExist');
    expect(result.stdout).toBe('');
  });

  test('a missing file exits 2', async () => {
    const result = await run(['eval', join(dir, 'absent.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read scenario file');
  });
});

describe('policy explain', () => {
  test('a denial names the isolating policy on the deciding side', async () => {
    const result = await run(['explain', join(dir, 'one.json'), '--from', 'x/a', '--to', 'y/b', '--port', '80']);
    // Denied exits 1, so a script can branch on the verdict.
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'denied: y/b is isolated for ingress by policy y/deny-all (selects all pods) and no ingress rule of y/deny-all admits x/a on 80/TCP\n' +
        'egress: not isolated\n' +
        'ingress: isolated by y/deny-all; no rule admits it\n',
    );
  });

  test('an allowance names the admitting policy and rule', async () => {
    const result = await run(['explain', join(dir, 'one.json'), '--from', 'x/b', '--to', 'y/a', '--port', '53', '--protocol', 'UDP']);
    expect(result.stdout).toContain('ingress: isolated by y/deny-all, y/allow-x; admitted by y/allow-x spec.ingress[0]');
    expect(result.stdout.startsWith('allowed: ')).toBe(true);
    expect(result.code).toBe(0);
  });

  test('bare IPs are accepted as endpoints', async () => {
    const result = await run(['explain', join(dir, 'one.json'), '--from', '192.0.2.1', '--to', 'y/b', '--port', '80']);
    expect(result.stdout).toContain('no ingress rule of y/deny-all admits 192.0.2.1 on 80/TCP');
  });

  test('an unknown pod exits 2 naming it and listing the known pods', async () => {
    const result = await run(['explain', join(dir, 'one.json'), '--from', 'x/q', '--to', 'y/b', '--port', '80']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown pod "x/q"');
    expect(result.stderr).toContain('known pods: x/a, x/b, x/c, y/a, y/b, y/c, z/a, z/b, z/c');
  });

  test('an array file needs --scenario, and a bad port or protocol is a usage error', async () => {
    const many = await run(['explain', join(dir, 'many.json'), '--from', 'x/a', '--to', 'y/b', '--port', '80']);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('say which with --scenario');
    const second = await run(['explain', join(dir, 'many.json'), '--from', 'x/a', '--to', 'y/b', '--port', '80', '--scenario', '1']);
    expect(second.stdout.startsWith('allowed: ')).toBe(true);
    const badPort = await run(['explain', join(dir, 'one.json'), '--from', 'x/a', '--to', 'y/b', '--port', '70000']);
    expect([badPort.code, badPort.stderr]).toEqual([2, expect.stringContaining('--port 70000 is not a port number')]);
    const badProtocol = await run(['explain', join(dir, 'one.json'), '--from', 'x/a', '--to', 'y/b', '--port', '80', '--protocol', 'ICMP']);
    expect(badProtocol.code).toBe(2);
    expect(badProtocol.stderr).toContain("Allowed choices are TCP, UDP, SCTP");
  });
});
