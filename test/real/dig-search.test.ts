// Real dig (bind9) against a lab DNS server shaped like CoreDNS behind a host search domain whose
// upstream fails: which names dig tries with +search, and that a fully qualified name asked with
// a trailing dot and no search list (fqdnDigCommand, what the suites send) is answered.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fqdnDigCommand } from '../../harness/probe/commands.ts';
import { namesAsked, startLabDns } from './lab-dns.ts';
import { createLab, type Lab, type LabHost, type LabProcess } from './netns.ts';
import { realTestsRun } from './require.ts';

const SERVICE = 'web.ns.svc.cluster.local.';
const SERVICE_IP = '192.0.2.77';
const SEARCH = ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'];

(realTestsRun('dig search-list behaviour', { root: true, programs: { dig: 'bind9-dnsutils' } }) ? describe : describe.skip)('real dig with a search list whose last domain answers SERVFAIL', () => {
  let lab: Lab;
  let client: LabHost;
  let dns: LabProcess;

  beforeAll(async () => {
    lab = await createLab({ client: 10 });
    client = lab.host('client');
    await client.etc({ 'resolv.conf': `search ${SEARCH.join(' ')}\nnameserver 127.0.0.53\noptions ndots:5\n` });
    dns = await startLabDns(client, '127.0.0.53', { records: { [SERVICE]: SERVICE_IP }, failing: ['corp.example.'] });
  }, 30_000);

  afterAll(async () => {
    await lab?.close();
  });

  async function dig(argv: string[]): Promise<{ stdout: string; asked: string[] }> {
    const before = namesAsked(dns).length;
    const result = await client.run(argv);
    return { stdout: result.stdout, asked: namesAsked(dns).slice(before) };
  }

  test('+search with a fully qualified name under ndots: the search list first, and SERVFAIL ends the lookup before the name itself is asked', async () => {
    const { stdout, asked } = await dig(['dig', '+search', '+short', '+time=2', '+tries=1', 'web.ns.svc.cluster.local', 'A']);
    expect(asked).toEqual(SEARCH.map((domain) => `web.ns.svc.cluster.local.${domain}.`));
    expect(stdout).not.toContain(SERVICE_IP);
  });

  test('the full answer of that lookup is the SERVFAIL', async () => {
    const { stdout } = await dig(['dig', '+search', '+time=2', '+tries=1', 'web.ns.svc.cluster.local', 'A']);
    expect(stdout).toMatch(/status: SERVFAIL/);
  });

  test('fqdnDigCommand asks exactly the name and gets its answer', async () => {
    const { stdout, asked } = await dig(fqdnDigCommand('web.ns.svc.cluster.local', 'A'));
    expect(asked).toEqual([SERVICE]);
    expect(stdout).toBe(`${SERVICE_IP}\n`);
  });

  test('+search with a partial name: the first search domain that answers wins, after NXDOMAINs', async () => {
    const { stdout, asked } = await dig(['dig', '+search', '+short', '+time=2', '+tries=1', 'web.ns.svc', 'A']);
    expect(asked).toEqual(['web.ns.svc.ns.svc.cluster.local.', 'web.ns.svc.svc.cluster.local.', 'web.ns.svc.cluster.local.']);
    expect(stdout).toBe(`${SERVICE_IP}\n`);
  });
});
