// ExternalName Services as CoreDNS answers them: A/AAAA questions follow the CNAME inside the
// cluster zone (plugin/backend_lookup.go), targets outside it get the CNAME alone (no upstream).
import { describe, expect, test } from '@jest/globals';
import { execHarness, IPS, seededStore, service } from './testing/fixture.ts';

const short = (name: string, type = 'A') => ['dig', '+search', '+short', '+time=2', '+tries=2', name, type];
const full = (name: string, type = 'A') => ['dig', '+search', '+time=2', '+tries=2', name, type];
const SVC = 'svc.x.svc.cluster.local.';

function aliasStore(aliases: Record<string, string>) {
  const store = seededStore();
  for (const [name, target] of Object.entries(aliases)) store.put(service('x', name, { type: 'ExternalName', externalName: target }));
  return store;
}

describe('ExternalName Service with a target inside the cluster domain', () => {
  test('dig +short prints the CNAME target, then the target ClusterIP', async () => {
    const h = execHarness(aliasStore({ alias: 'svc.x.svc.cluster.local' }));
    const result = await h.run('y/c', short('alias.x'));
    expect(result).toEqual({ stdout: `${SVC}\n${IPS.svc}\n`, stderr: '', exitCode: 0 });
  });

  test('full dig output has both records in the answer section', async () => {
    const h = execHarness(aliasStore({ alias: 'svc.x.svc.cluster.local' }));
    const out = (await h.run('y/c', full('alias.x.svc.cluster.local'))).stdout;
    expect(out).toContain('status: NOERROR');
    expect(out).toContain('ANSWER: 2,');
    expect(out).toContain(`alias.x.svc.cluster.local.\t30\tIN\tCNAME\t${SVC}`);
    expect(out).toContain(`${SVC}\t30\tIN\tA\t${IPS.svc}`);
  });

  test('a headless target contributes every ready endpoint address', async () => {
    const h = execHarness(aliasStore({ alias: 'headless.x.svc.cluster.local' }));
    const lines = (await h.run('y/c', short('alias.x'))).stdout.split('\n').filter(Boolean);
    expect(lines[0]).toBe('headless.x.svc.cluster.local.');
    expect(lines.slice(1).sort()).toEqual([IPS.a, IPS.b]);
  });

  test('a chain of ExternalNames is followed to the end', async () => {
    const h = execHarness(aliasStore({ outer: 'inner.x.svc.cluster.local', inner: 'svc.x.svc.cluster.local' }));
    expect((await h.run('y/c', short('outer.x'))).stdout).toBe(`inner.x.svc.cluster.local.\n${SVC}\n${IPS.svc}\n`);
  });

  test('a CNAME question gets the CNAME alone', async () => {
    const h = execHarness(aliasStore({ alias: 'svc.x.svc.cluster.local' }));
    expect((await h.run('y/c', short('alias.x', 'CNAME'))).stdout).toBe(`${SVC}\n`);
  });

  test('no data at the end of the chain (AAAA on IPv4, missing target, loop): empty NOERROR answer', async () => {
    const h = execHarness(aliasStore({ alias: 'svc.x.svc.cluster.local', dangling: 'nosuch.x.svc.cluster.local', ping: 'pong.x.svc.cluster.local', pong: 'ping.x.svc.cluster.local' }));
    for (const [name, type] of [['alias.x.svc.cluster.local', 'AAAA'], ['dangling.x.svc.cluster.local', 'A'], ['ping.x.svc.cluster.local', 'A']] as const) {
      expect((await h.run('y/c', short(name, type))).stdout).toBe('');
      const out = (await h.run('y/c', full(name, type))).stdout;
      expect(out).toContain('status: NOERROR');
      expect(out).toContain('ANSWER: 0,');
    }
  });

  test('clients resolve the alias to the target ClusterIP and connect through it', async () => {
    const h = execHarness(aliasStore({ alias: 'svc.x.svc.cluster.local' }));
    const result = await h.run('y/c', ['curl', '-sS', '--max-time', '2', 'http://alias.x/hostname']);
    expect(result.exitCode).toBe(0);
    expect(['a', 'b']).toContain(result.stdout);
  });
});

test('an ExternalName target outside the cluster domain gets the CNAME only (upstream is not reachable)', async () => {
  const h = execHarness(seededStore());
  expect((await h.run('y/c', short('ext.x'))).stdout).toBe('example.org.\n');
  const out = (await h.run('y/c', full('ext.x.svc.cluster.local'))).stdout;
  expect(out).toContain('status: NOERROR');
  expect(out).toContain('ANSWER: 1,');
  expect((await h.run('y/c', ['curl', '-sS', '--max-time', '2', 'http://ext.x/'])).exitCode).toBe(6);
});
