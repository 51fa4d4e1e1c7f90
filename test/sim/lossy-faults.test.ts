// The faults a correct but imperfect cluster shows: a CNI that programs policy changes 3 s late,
// and paths that lose their first connection. The suites must stay green through both.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { FIRST_TRY_DROP_PERCENT, losesFirstTry } from './faults/first-try-drops.ts';
import { POLICY_PROGRAMMING_DELAY_MS } from './faults/policy-programming-delay.ts';
import { execHarness, IPS, netexecContainer, pod, seededStore, NODES } from './testing/fixture.ts';

const connect = (target: string) => ['/agnhost', 'connect', target, '--timeout=1s', '--protocol=tcp'];
const denyIngress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'x' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };

afterEach(() => {
  jest.restoreAllMocks();
});

describe('policy-programming-delay', () => {
  test('a policy applied, a relabel and a deletion each take effect only after the delay', async () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const store = seededStore({ cni: 'calico-node' });
    const h = execHarness(store);
    h.faults = ['policy-programming-delay'];
    const reach = async () => (await h.run('y/c', connect(`${IPS.a}:80`))).exitCode === 0;
    expect(await reach()).toBe(true);

    store.put(denyIngress);
    expect(await reach()).toBe(true);
    now += POLICY_PROGRAMMING_DELAY_MS - 1;
    expect(await reach()).toBe(true);
    now += 1;
    expect(await reach()).toBe(false);

    // Allow only role=client; then the client loses that label: the old label still counts for a while.
    store.put({ ...denyIngress, metadata: { name: 'allow-client', namespace: 'x' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }] }] } });
    now += POLICY_PROGRAMMING_DELAY_MS;
    expect(await reach()).toBe(false);
    now += POLICY_PROGRAMMING_DELAY_MS;
    expect(await reach()).toBe(true);
    const client = store.get('v1', 'Pod', 'y', 'c')!;
    store.put({ ...client, metadata: { ...client.metadata, labels: { role: 'other' } } });
    expect(await reach()).toBe(true);
    now += POLICY_PROGRAMMING_DELAY_MS;
    expect(await reach()).toBe(false);

    store.delete('networking.k8s.io/v1', 'NetworkPolicy', 'x', 'deny');
    store.delete('networking.k8s.io/v1', 'NetworkPolicy', 'x', 'allow-client');
    expect(await reach()).toBe(false);
    now += POLICY_PROGRAMMING_DELAY_MS;
    expect(await reach()).toBe(true);
  });
});

describe('first-try-drops', () => {
  test(`about ${FIRST_TRY_DROP_PERCENT} % of paths lose their first try`, () => {
    const lost = Array.from({ length: 10_000 }, (_, i) => losesFirstTry(`10.244.1.${i % 250}>10.244.2.${Math.floor(i / 250)}:80/TCP`)).filter(Boolean).length;
    expect(lost).toBeGreaterThan(100);
    expect(lost).toBeLessThan(300);
  });

  test('a path that loses its first try times out once, then connects; other paths are untouched', async () => {
    const port = Array.from({ length: 5000 }, (_, i) => 1000 + i).find((p) => losesFirstTry(`${IPS.c}>10.244.2.9:${p}/TCP`))!;
    const kept = Array.from({ length: 5000 }, (_, i) => 1000 + i).find((p) => !losesFirstTry(`${IPS.c}>10.244.2.9:${p}/TCP`))!;
    const store = seededStore();
    store.put(pod({ ns: 'x', name: 'lossy', node: NODES.w2[0], ip: '10.244.2.9', containers: [netexecContainer(port), netexecContainer(kept)] }));
    const h = execHarness(store);
    h.faults = ['first-try-drops'];
    const first = await h.run('y/c', connect(`10.244.2.9:${port}`));
    expect(first).toMatchObject({ exitCode: 1, stderr: 'TIMEOUT\n' });
    expect((await h.run('y/c', connect(`10.244.2.9:${port}`))).exitCode).toBe(0);
    expect((await h.run('y/c', connect(`10.244.2.9:${kept}`))).exitCode).toBe(0);
  });
});

describe('dig under first-try-drops', () => {
  /** Client addresses whose first query to either CoreDNS pod is lost. */
  const lossyClients = Array.from({ length: 250 * 250 }, (_, i) => `10.244.${3 + Math.floor(i / 250)}.${1 + (i % 250)}`)
    .filter((ip) => [IPS.dns1, IPS.dns2].every((dns) => losesFirstTry(`${ip}>${dns}:53/UDP`)))
    .slice(0, 2);

  test('a lost query is sent again within +tries, as dig does; with +tries=1 the lookup times out', async () => {
    const store = seededStore();
    // Both CoreDNS pods lose the first query from these clients: the third try is the first to a path tried before.
    const [first, second] = lossyClients;
    store.put(pod({ ns: 'y', name: 'once', node: NODES.w1[0], ip: first! }));
    store.put(pod({ ns: 'y', name: 'twice', node: NODES.w1[0], ip: second! }));
    const h = execHarness(store);
    h.faults = ['first-try-drops'];
    const dig = (tries: number) => ['dig', '+short', '+time=1', `+tries=${tries}`, 'svc.x.svc.cluster.local.', 'A'];
    expect(await h.run('y/once', dig(1))).toMatchObject({ exitCode: 9 });
    expect(await h.run('y/twice', dig(3))).toMatchObject({ exitCode: 0, stdout: `${IPS.svc}\n` });
  });
});
