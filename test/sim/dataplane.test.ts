import { describe, expect, test } from '@jest/globals';
import { fqdnDigCommand } from '../../harness/probe/commands.ts';
import { addIngressController, execHarness, IPS, NODES, pod, seededStore, slice } from './testing/fixture.ts';
import type { KubeObject } from './apiserver/index.ts';

const connect = (target: string, protocol = 'tcp') => ['/agnhost', 'connect', target, '--timeout=1s', `--protocol=${protocol}`];
const curl = (url: string) => ['curl', '-sS', '--max-time', '2', url];
const dig = (name: string, type = 'A') => ['dig', '+search', '+short', '+time=2', '+tries=2', name, type];
/** netexec /dial in the source pod (its netexec on 80) sending `hostname` over UDP. */
const dialUdp = (host: string) => ['curl', '-sS', '--max-time', '8', `http://127.0.0.1:80/dial?host=${host}&port=80&protocol=udp&request=hostname&tries=1`];

function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

describe('pod to pod', () => {
  test('connects to a served port, refuses unserved TCP and UDP ports as agnhost words it', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', connect(`${IPS.b}:80`))).exitCode).toBe(0);
    expect((await h.run('y/c', connect(`${IPS.b}:80`, 'udp'))).exitCode).toBe(0);
    const refused = await h.run('y/c', connect(`${IPS.b}:81`));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe('REFUSED\n');
    expect((await h.run('y/c', connect(`${IPS.b}:81`, 'udp'))).stderr).toMatch(new RegExp(`^REFUSED: read udp ${IPS.c}:\\d+->${IPS.b}:81: read: connection refused\n$`));
  });

  test('SCTP is served only with --sctp-port and carried only by CNIs that support it', async () => {
    expect((await execHarness(seededStore()).run('y/c', connect(`${IPS.b}:80`, 'sctp'))).stderr).toBe('OTHER: connection refused\n');
    expect((await execHarness(seededStore({ cni: 'cilium' })).run('y/c', connect(`${IPS.b}:80`, 'sctp'))).stderr).toBe('TIMEOUT\n');
  });

  test('over IPv6 between dual-stack pods: connect to [address]:port, /clientip names the caller as Go does, in brackets', async () => {
    const store = seededStore();
    const dualStack = (ns: string, name: string, ipv6: string) => {
      const p = store.get('v1', 'Pod', ns, name)!;
      const status = p['status'] as { podIP: string };
      store.put({ ...p, status: { ...status, podIPs: [{ ip: status.podIP }, { ip: ipv6 }] } });
    };
    dualStack('x', 'b', 'fd00:10:244:2::2');
    dualStack('y', 'c', 'fd00:10:244:1::3');
    const h = execHarness(store);
    expect((await h.run('y/c', connect('[fd00:10:244:2::2]:80'))).exitCode).toBe(0);
    expect((await h.run('y/c', curl('http://[fd00:10:244:2::2]:80/clientip'))).stdout).toMatch(/^\[fd00:10:244:1::3\]:\d+$/);
    // A pod without an IPv6 address does not get through to one.
    expect((await h.run('x/a', connect('[fd00:10:244:2::2]:80'))).exitCode).toBe(1);
  });

  test('/clientip shows the source pod IP; snat-cross-node shows the node IP for cross-node traffic only', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', curl(`http://${IPS.b}:80/clientip`))).stdout).toMatch(new RegExp(`^${IPS.c}:\\d+$`));
    h.faults = ['snat-cross-node'];
    expect((await h.run('y/c', curl(`http://${IPS.b}:80/clientip`))).stdout).toMatch(new RegExp(`^${NODES.w1[1]}:\\d+$`));
    expect((await h.run('y/c', curl(`http://${IPS.a}:80/clientip`))).stdout).toMatch(new RegExp(`^${IPS.c}:\\d+$`));
  });

  test('no-cross-node drops traffic between nodes only', async () => {
    const h = execHarness(seededStore());
    h.faults = ['no-cross-node'];
    expect((await h.run('y/c', connect(`${IPS.b}:80`))).stderr).toBe('TIMEOUT\n');
    expect((await h.run('y/c', connect(`${IPS.a}:80`))).exitCode).toBe(0);
  });

  test('/hostname, /echo and /dial answer like netexec; hostname in a hostNetwork pod is the node name', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', curl(`http://${IPS.a}:80/hostname`))).stdout).toBe('a');
    expect((await h.run('y/c', curl(`http://${IPS.a}:80/echo?msg=hello`))).stdout).toBe('hello');
    expect((await h.run('y/host', ['hostname'])).stdout).toBe(`${NODES.w1[0]}\n`);
    const dial = await h.run('y/c', curl(`http://127.0.0.1:80/dial?host=${IPS.b}&port=80&protocol=udp&request=hostname&tries=1`));
    expect(JSON.parse(dial.stdout)).toEqual({ responses: ['b'] });
    const refused = await h.run('y/c', curl('http://127.0.0.1:8080/hostname'));
    expect(refused.exitCode).toBe(7);
  });
});

describe('NetworkPolicy through the engine, and the policy faults', () => {
  const denyIngress = policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });

  test('default-deny ingress times out; flannel does not enforce it', async () => {
    const store = seededStore();
    store.put(denyIngress);
    expect((await execHarness(store).run('y/c', connect(`${IPS.a}:80`))).stderr).toBe('TIMEOUT\n');
    const flannel = seededStore({ cni: 'kube-flannel-ds' });
    flannel.put(denyIngress);
    expect((await execHarness(flannel).run('y/c', connect(`${IPS.a}:80`))).exitCode).toBe(0);
  });

  test.each([
    ['policy-ignore-egress', policy('y', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }), connect(`${IPS.a}:80`)],
    [
      'policy-peers-or-instead-of-and',
      policy('x', 'allow', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } }, podSelector: { matchLabels: { role: 'other' } } }] }] }),
      connect(`${IPS.a}:80`),
    ],
    [
      'policy-ignore-except',
      policy('x', 'allow', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.1.0/24'] } }] }] }),
      connect(`${IPS.a}:80`),
    ],
    ['policy-udp-unenforced', denyIngress, connect(`${IPS.a}:80`, 'udp')],
  ])('%s: denied when faithful, allowed with the fault', async (fault, pol, argv) => {
    const store = seededStore();
    store.put(pol);
    const h = execHarness(store);
    expect((await h.run('y/c', argv)).stderr).toMatch(/^TIMEOUT\b/);
    h.faults = [fault];
    expect((await h.run('y/c', argv)).exitCode).toBe(0);
  });

  test('policy-ignore-named-ports: a named-port allow works faithfully and allows nothing with the fault', async () => {
    const store = seededStore();
    store.put(policy('x', 'allow-named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] }));
    const h = execHarness(store);
    expect((await h.run('y/c', connect(`${IPS.a}:80`))).exitCode).toBe(0);
    h.faults = ['policy-ignore-named-ports'];
    expect((await h.run('y/c', connect(`${IPS.a}:80`))).stderr).toBe('TIMEOUT\n');
  });
});

describe('Services', () => {
  test('ClusterIP spreads over ready endpoints; service-single-endpoint always hits the first', async () => {
    const h = execHarness(seededStore());
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add((await h.run('y/c', curl(`http://${IPS.svc}:80/hostname`))).stdout);
    expect([...names].sort()).toEqual(['a', 'b']);
    h.faults = ['service-single-endpoint'];
    names.clear();
    for (let i = 0; i < 4; i++) names.add((await h.run('y/c', curl(`http://${IPS.svc}:80/hostname`))).stdout);
    expect([...names]).toEqual(['a']);
  });

  test('sessionAffinity ClientIP sticks; affinity-ignored spreads again', async () => {
    const store = seededStore();
    const svc = store.get('v1', 'Service', 'x', 'svc')!;
    store.put({ ...svc, spec: { ...(svc.spec as object), sessionAffinity: 'ClientIP' } });
    const h = execHarness(store);
    const seen = async () => {
      const names = new Set<string>();
      for (let i = 0; i < 4; i++) names.add((await h.run('y/c', curl(`http://${IPS.svc}:80/hostname`))).stdout);
      return names.size;
    };
    expect(await seen()).toBe(1);
    h.faults = ['affinity-ignored'];
    expect(await seen()).toBe(2);
  });

  test('UDP to a ClusterIP spreads over ready endpoints; service-udp-not-forwarded times out UDP through Services only', async () => {
    const h = execHarness(seededStore());
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add((await h.run('y/c', dialUdp(IPS.svc))).stdout);
    expect([...answers].sort()).toEqual(['{"responses":["a"]}', '{"responses":["b"]}']);
    h.faults = ['service-udp-not-forwarded'];
    expect((await h.run('y/c', dialUdp(IPS.svc))).stdout).toMatch(/^\{"errors":\["reading from udp connection failed\. err:'read udp .*: i\/o timeout'"\]\}$/);
    expect((await h.run('y/c', dialUdp(IPS.a))).stdout).toBe('{"responses":["a"]}');
    expect((await h.run('y/c', curl(`http://${IPS.svc}:80/hostname`))).exitCode).toBe(0);
  });

  test('ClientIP affinity sticks over UDP too; affinity-udp-ignored spreads UDP and keeps TCP sticky', async () => {
    const store = seededStore();
    const svc = store.get('v1', 'Service', 'x', 'svc')!;
    store.put({ ...svc, spec: { ...(svc.spec as object), sessionAffinity: 'ClientIP' } });
    const h = execHarness(store);
    const distinct = async (command: string[]) => {
      const answers = new Set<string>();
      for (let i = 0; i < 4; i++) answers.add((await h.run('y/c', command)).stdout);
      return answers.size;
    };
    expect(await distinct(dialUdp(IPS.svc))).toBe(1);
    h.faults = ['affinity-udp-ignored'];
    expect(await distinct(dialUdp(IPS.svc))).toBe(2);
    expect(await distinct(curl(`http://${IPS.svc}:80/hostname`))).toBe(1);
  });

  test('an endpoint that is not ready gets no Service traffic and no headless record; endpoints-include-unready uses it', async () => {
    const store = seededStore();
    const unready = { name: 'u', ip: '10.244.1.9', node: NODES.w1[0], ready: false };
    store.put(pod({ ns: 'x', name: 'u', node: NODES.w1[0], ip: unready.ip, labels: { app: 'server' }, ready: false }));
    const servers = [{ name: 'a', ip: IPS.a, node: NODES.w1[0] }, { name: 'b', ip: IPS.b, node: NODES.w2[0] }, unready];
    store.put(slice('x', 'svc', servers, [{ name: 'http', port: 80 }, { name: 'udp', port: 80, protocol: 'UDP' }]));
    store.put(slice('x', 'headless', servers, [{ name: 'http', port: 80 }]));
    const h = execHarness(store);
    const reached = async () => {
      const names = new Set<string>();
      for (let i = 0; i < 6; i++) names.add((await h.run('y/c', curl(`http://${IPS.svc}:80/hostname`))).stdout);
      return [...names].sort();
    };
    const headless = async () => (await h.run('y/c', dig('headless.x.svc.cluster.local'))).stdout.split('\n').filter(Boolean).sort();
    expect(await reached()).toEqual(['a', 'b']);
    expect(await headless()).toEqual([IPS.a, IPS.b]);
    h.faults = ['endpoints-include-unready'];
    expect(await reached()).toEqual(['a', 'b', 'u']);
    expect(await headless()).toEqual([IPS.a, unready.ip, IPS.b]);
  });

  test('no endpoints → refused; no kube-proxy → timeout unless cilium replaces it', async () => {
    expect((await execHarness(seededStore()).run('y/c', connect('10.96.0.30:80'))).stderr).toBe('REFUSED\n');
    expect((await execHarness(seededStore({ proxyMode: 'none' })).run('y/c', connect(`${IPS.svc}:80`))).stderr).toBe('TIMEOUT\n');
    expect((await execHarness(seededStore({ proxyMode: 'none', cni: 'cilium' })).run('y/c', connect(`${IPS.svc}:80`))).exitCode).toBe(0);
  });

  test('NodePort with externalTrafficPolicy Local: only nodes with a local endpoint answer, client IP kept', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', curl(`http://${NODES.w2[1]}:30080/clientip`))).stdout).toMatch(new RegExp(`^${IPS.c}:`));
    expect((await h.run('y/c', connect(`${NODES.cp[1]}:30080`))).stderr).toBe('TIMEOUT\n');
  });
});

describe('DNS', () => {
  test('Service, cross-namespace, headless, SRV, pod, PTR and ExternalName records', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('x/a', dig('svc'))).stdout).toBe(`${IPS.svc}\n`);
    expect((await h.run('y/c', dig('svc.x'))).stdout).toBe(`${IPS.svc}\n`);
    expect((await h.run('y/c', dig('svc'))).stdout).toBe('');
    expect((await h.run('y/c', dig('headless.x.svc.cluster.local'))).stdout.split('\n').filter(Boolean).sort()).toEqual([IPS.a, IPS.b]);
    expect((await h.run('y/c', dig('a.headless.x.svc.cluster.local'))).stdout).toBe(`${IPS.a}\n`);
    expect((await h.run('y/c', dig('_http._tcp.svc.x.svc.cluster.local', 'SRV'))).stdout).toBe('0 100 80 svc.x.svc.cluster.local.\n');
    expect((await h.run('y/c', dig('_http._tcp.headless.x.svc.cluster.local', 'SRV'))).stdout.split('\n').filter(Boolean).sort()).toEqual([
      '0 50 80 a.headless.x.svc.cluster.local.',
      '0 50 80 b.headless.x.svc.cluster.local.',
    ]);
    expect((await h.run('y/c', dig('10-244-9-9.x.pod.cluster.local'))).stdout).toBe('10.244.9.9\n');
    expect((await h.run('y/c', ['dig', '+short', '-x', IPS.svc])).stdout).toBe('svc.x.svc.cluster.local.\n');
    expect((await h.run('y/c', dig('ext.x', 'CNAME'))).stdout).toBe('example.org.\n');
    const outside = await h.run('y/c', ['dig', '+search', '+time=2', '+tries=2', 'example.org', 'A']);
    expect(outside.stdout).toMatch(/status: SERVFAIL/);
  });

  test('resolv.conf follows dnsPolicy; dns-no-search-path drops the search list and partial names fail', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', ['cat', '/etc/resolv.conf'])).stdout).toBe(
      'search y.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    h.faults = ['dns-no-search-path'];
    expect((await h.run('y/c', dig('svc.x'))).stdout).toBe('');
    expect((await h.run('y/c', dig('svc.x.svc.cluster.local'))).stdout).toBe(`${IPS.svc}\n`);
  });

  test('dig +search ends on a SERVFAIL from a host search domain; the name with a trailing dot answers', async () => {
    const store = seededStore();
    const hostSearch = { dnsConfig: { searches: ['corp.example'] } };
    store.put(pod({ ns: 'y', name: 'corp', node: NODES.w1[0], ip: '10.244.1.9', extraSpec: hostSearch }));
    const h = execHarness(store);
    // Four dots < ndots:5: the search list comes first, and corp.example (outside the cluster) fails.
    expect((await h.run('y/corp', dig('svc.x.svc.cluster.local'))).stdout).toBe('');
    expect((await h.run('y/corp', fqdnDigCommand('svc.x.svc.cluster.local', 'A'))).stdout).toBe(`${IPS.svc}\n`);
  });

  test('dns-headless-empty and dns-no-srv empty their answers', async () => {
    const h = execHarness(seededStore());
    h.faults = ['dns-headless-empty', 'dns-no-srv'];
    expect((await h.run('y/c', dig('headless.x.svc.cluster.local'))).stdout).toBe('');
    expect((await h.run('y/c', dig('svc.x.svc.cluster.local'))).stdout).toBe(`${IPS.svc}\n`);
    expect((await h.run('y/c', dig('_http._tcp.svc.x.svc.cluster.local', 'SRV'))).stdout).toBe('');
  });

  test('without Ready CoreDNS, dig times out with exit 9', async () => {
    const result = await execHarness(seededStore({ dnsReady: false })).run('y/c', dig('svc.x'));
    expect(result.exitCode).toBe(9);
    expect(result.stdout).toBe(';; connection timed out; no servers could be reached\n');
  });

  test('an egress policy without DNS blocks resolution', async () => {
    const store = seededStore();
    store.put(policy('y', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }));
    expect((await execHarness(store).run('y/c', dig('svc.x'))).exitCode).toBe(9);
  });
});

describe('ingress-nginx', () => {
  function ingressStore(annotations: Record<string, string> = {}, extraSpec: Record<string, unknown> = {}) {
    const store = seededStore();
    addIngressController(store);
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'x', annotations },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'foo.example', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }],
        ...extraSpec,
      },
    });
    return store;
  }
  const get = (path: string, host = 'foo.example', extra: string[] = []) => ['curl', '-sS', '-i', '--max-time', '2', '-H', `Host: ${host}`, ...extra, `http://${IPS.ingress}${path}`];
  const status = (out: string) => Number(out.split(' ')[1]);

  const fromController = (out: string) => out.includes('<center>nginx</center>');

  test('rewrite-target with use-regex passes the capture group to the backend', async () => {
    const store = ingressStore({ 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/use-regex': 'true' });
    const ing = store.get('networking.k8s.io/v1', 'Ingress', 'x', 'web')!;
    const spec = ing.spec as { rules: { http: { paths: Record<string, unknown>[] } }[] };
    spec.rules[0]!.http.paths[0] = { ...spec.rules[0]!.http.paths[0], path: '/app(/|$)(.*)', pathType: 'ImplementationSpecific' };
    store.put(ing);
    const rewritten = await execHarness(store).run('y/c', get('/app/hostname'));
    expect(status(rewritten.stdout)).toBe(200);
    expect(rewritten.stdout).toMatch(/\r\n\r\n(a|b)$/);
  });

  test('Prefix matches element-wise and by host; ingress-prefix-as-exact and ingress-ignore-host deviate', async () => {
    const store = seededStore();
    addIngressController(store);
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'x' },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'foo.example', http: { paths: [{ path: '/hostname', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }] },
    });
    const h = execHarness(store);
    expect(status((await h.run('y/c', get('/hostname'))).stdout)).toBe(200);
    // /hostname/x reaches the backend (netexec's own 404); /hostnamex is not under the prefix.
    expect(fromController((await h.run('y/c', get('/hostname/x'))).stdout)).toBe(false);
    expect(fromController((await h.run('y/c', get('/hostnamex'))).stdout)).toBe(true);
    expect(fromController((await h.run('y/c', get('/hostname', 'other.example'))).stdout)).toBe(true);
    h.faults = ['ingress-prefix-as-exact'];
    expect(fromController((await h.run('y/c', get('/hostname/x'))).stdout)).toBe(true);
    expect(status((await h.run('y/c', get('/hostname'))).stdout)).toBe(200);
    h.faults = ['ingress-ignore-host'];
    expect(status((await h.run('y/c', get('/hostname', 'other.example'))).stdout)).toBe(200);
  });

  test('TLS redirect, body size, CORS preflight and cookie affinity', async () => {
    const tls = execHarness(ingressStore({}, { tls: [{ hosts: ['foo.example'], secretName: 'cert' }] }));
    const redirect = (await tls.run('y/c', get('/app'))).stdout;
    expect(status(redirect)).toBe(308);
    expect(redirect).toContain('Location: https://foo.example/app');
    const small = execHarness(ingressStore({ 'nginx.ingress.kubernetes.io/proxy-body-size': '1k', 'nginx.ingress.kubernetes.io/rewrite-target': '/hostname' }));
    await small.run('y/c', ['/bin/sh', '-c', 'head -c 2048 /dev/zero > /tmp/body']);
    expect(status((await small.run('y/c', get('/app', 'foo.example', ['-H', 'Content-Length: 2048', '--data-binary', '@/tmp/body']))).stdout)).toBe(413);
    expect(status((await small.run('y/c', get('/app'))).stdout)).toBe(200);
    const cors = execHarness(ingressStore({ 'nginx.ingress.kubernetes.io/enable-cors': 'true', 'nginx.ingress.kubernetes.io/cors-allow-origin': 'https://ok.example' }));
    const preflight = (await cors.run('y/c', get('/app', 'foo.example', ['-X', 'OPTIONS', '-H', 'Origin: https://ok.example']))).stdout;
    expect(status(preflight)).toBe(204);
    expect(preflight).toContain('Access-Control-Allow-Origin: https://ok.example');
    const sticky = execHarness(ingressStore({ 'nginx.ingress.kubernetes.io/affinity': 'cookie', 'nginx.ingress.kubernetes.io/rewrite-target': '/hostname' }));
    const first = (await sticky.run('y/c', get('/app'))).stdout;
    const cookie = /Set-Cookie: (INGRESSCOOKIE=[0-9a-f]+)/.exec(first)?.[1];
    expect(cookie).toBeDefined();
    const backend = first.split('\r\n\r\n')[1];
    for (let i = 0; i < 3; i++) expect((await sticky.run('y/c', get('/app', 'foo.example', ['-H', `Cookie: ${cookie}`]))).stdout.split('\r\n\r\n')[1]).toBe(backend);
    sticky.faults = ['affinity-ignored'];
    expect((await sticky.run('y/c', get('/app'))).stdout).not.toContain('Set-Cookie');
  });
});

describe('kube-proxy mode and rules', () => {
  test('proxyMode endpoint and rule dumps follow the configured mode; proxy-mode-iptables-only overrides it', async () => {
    const proxyMode = ['curl', '-sS', '--max-time', '2', 'http://127.0.0.1:10249/proxyMode'];
    const ipvs = execHarness(seededStore({ proxyMode: 'ipvs' }));
    expect((await ipvs.run('kube-system/kube-proxy-w1', proxyMode)).stdout).toBe('ipvs');
    expect((await ipvs.run('y/host', ['cat', '/proc/net/ip_vs'])).stdout).toContain('0A600014:0050 rr');
    expect((await ipvs.run('kube-system/kube-proxy-w1', ['nft', 'list', 'table', 'ip', 'kube-proxy'])).exitCode).toBe(1);
    ipvs.faults = ['proxy-mode-iptables-only'];
    expect((await ipvs.run('y/host', proxyMode)).stdout).toBe('iptables');
    expect((await ipvs.run('kube-system/kube-proxy-w1', ['iptables-save', '-t', 'nat'])).stdout).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.20\/32 -p tcp .* -j KUBE-SVC-[A-Z2-7]{16}/);
    const nft = execHarness(seededStore({ proxyMode: 'nftables' }));
    expect((await nft.run('kube-system/kube-proxy-w1', ['nft', 'list', 'table', 'ip', 'kube-proxy'])).stdout).toContain('10.96.0.20 . tcp . 80 : goto service-');
    expect((await execHarness(seededStore({ proxyMode: 'none' })).run('y/host', proxyMode)).exitCode).toBe(7);
    expect((await execHarness(seededStore()).run('y/c', proxyMode)).exitCode).toBe(7);
  });
});
