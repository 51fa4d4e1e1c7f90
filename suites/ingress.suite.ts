// Ingress conformance (ingress-nginx, class nginx): host and path routing, default backend, TLS and
// SNI, ssl-redirect, rewrite-target, body size limit, cookie affinity and CORS — probed from a pod
// to the controller, and from an external client container to the controller's hostPort.
import { afterAll, beforeAll } from '@jest/globals';
import pRetry from 'p-retry';
import type { Kube } from '../harness/kube/types.ts';
import { describeResult, runBatch, settleWindowMs, type Probe, type ProbeResult } from '../harness/probe/index.ts';
import { check, conformanceSuite, group, liveKube } from './lib/conformance.ts';
import { externalCheck, externalClient, externalGroup } from './lib/external.ts';
import { runExternalBatch } from '../harness/external/probe.ts';
import { deleteNamespaces, namespace, namespaceName } from './lib/workloads.ts';
import { INGRESS_CASES, responseMismatches, type IngressCase } from './ingress/cases.ts';
import { controllerAddress, type ControllerAddress } from './ingress/controller.ts';
import { bodyFileCommands, caFileCommand, CURL_TIMEOUT_SECONDS, curlRequest, describeResponse, parseCurlResponse, setCookie } from './ingress/http.ts';
import { AFFINITY_COOKIE, CLIENT_POD, ingressBackends, ingresses, POOL_PODS, tlsMaterial, type TlsMaterial } from './ingress/workloads.ts';

// Checks may start the external client and re-send requests: room beyond jest's 5 s default.
const NEEDS = { needs: ['ingress' as const], timeoutMs: 120_000 };
// ingress-nginx reloads its configuration a few seconds after an Ingress changes; new Ingresses
// get several settle windows (60 s by default) to be served before cases are judged.
const convergeMs = () => 6 * settleWindowMs();

let kube: Kube;
let ns: string;
let tls: TlsMaterial;
let controller: ControllerAddress;

type Runner = (probes: Probe[]) => Promise<Map<string, ProbeResult>>;
type Exec = (argv: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** Where requests are sent from, and what they observed. */
interface Vantage {
  label: string;
  address: string;
  run: Runner;
  results: Map<string, ProbeResult>;
  /** Why the certificate could not be written to the client (only --cacert cases need it). */
  caFileError?: string;
}

/** Writes the request bodies (required) and the certificate (only --cacert cases depend on it). */
async function prepareClient(exec: Exec, vantage: Vantage): Promise<void> {
  for (const command of bodyFileCommands()) {
    const result = await exec(command);
    if (result.exitCode !== 0) throw new Error(`preparing ${vantage.label}: \`${command.join(' ')}\` failed: ${(result.stderr || result.stdout).trim()}`);
  }
  const ca = await exec(caFileCommand(tls.cert));
  if (ca.exitCode !== 0) vantage.caFileError = (ca.stderr || ca.stdout).trim() || `exit ${ca.exitCode}`;
}

function matches(c: IngressCase, result: ProbeResult | undefined): boolean {
  return result !== undefined && result.outcome === 'connected' && responseMismatches(c.expected, parseCurlResponse(result.output)).length === 0;
}

/** Sends every case until all give their expected response or the window ends; keeps the last results. */
async function converge({ run, address, results: into, caFileError }: Vantage, windowMs: number): Promise<void> {
  const deadline = Date.now() + windowMs;
  let pending = INGRESS_CASES.filter((c) => !(c.request.verifyCertificate && caFileError));
  for (;;) {
    const results = await run(pending.map((c) => ({ id: c.id, command: curlRequest(c.request, address), timeoutSeconds: CURL_TIMEOUT_SECONDS })));
    for (const [id, result] of results) into.set(id, result);
    pending = pending.filter((c) => !matches(c, into.get(c.id)));
    if (pending.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

function assertCase(c: IngressCase, v: Vantage): void {
  const vantage = v.label;
  if (c.request.verifyCertificate && v.caFileError) {
    throw new Error(`The certificate check could not run (${vantage}): writing the certificate into the client failed: ${v.caFileError}`);
  }
  const result = v.results.get(c.id);
  if (!result) throw new Error(`${c.defect}: no result for ${c.id} (${vantage})`);
  const request = `${c.request.method ?? 'GET'} ${c.request.scheme ?? 'http'}://${c.request.host}${c.request.path} via ${v.address}`;
  if (result.outcome !== 'connected') {
    throw new Error(`${c.defect} (${vantage}): the request did not complete.\n  request: ${request}\n  outcome: ${describeResult(result)}`);
  }
  const response = parseCurlResponse(result.output);
  const problems = responseMismatches(c.expected, response);
  if (problems.length > 0) {
    throw new Error(`${c.defect} (${vantage}): ${problems.join('; ')}.\n  request:  ${request}\n  response: ${describeResponse(response)}`);
  }
}

/** A first request without the cookie, then repeats with it: every repeat must reach the same pod. */
async function checkCookieAffinity({ run, address, label: vantage }: Vantage): Promise<void> {
  const request = { host: 'sticky.example.test', path: '/hostname' };
  const first = (await run([{ id: 'first', command: curlRequest(request, address), timeoutSeconds: CURL_TIMEOUT_SECONDS }])).get('first');
  const firstResponse = parseCurlResponse(first?.output ?? '');
  const cookie = setCookie(firstResponse, AFFINITY_COOKIE);
  if (first?.outcome !== 'connected' || !cookie) {
    throw new Error(
      `Cookie affinity is not applied (${vantage}): the first response sets no ${AFFINITY_COOKIE} cookie.\n  response: ${describeResponse(firstResponse)}` +
        (first && first.outcome !== 'connected' ? ` — ${describeResult(first)}` : ''),
    );
  }
  const pinned = firstResponse.body.trim();
  const repeats = Array.from({ length: 9 }, (_, i) => ({
    id: `again-${i}`,
    command: curlRequest({ ...request, headers: { Cookie: `${AFFINITY_COOKIE}=${cookie}` } }, address),
    timeoutSeconds: CURL_TIMEOUT_SECONDS,
  }));
  const answered = [...(await run(repeats)).values()].map((r) => parseCurlResponse(r.output).body.trim() || describeResult(r));
  const others = answered.filter((b) => b !== pinned);
  if (!POOL_PODS.includes(pinned) || others.length > 0) {
    throw new Error(
      `Cookie affinity does not hold (${vantage}): with ${AFFINITY_COOKIE}=${cookie} the first request reached ${pinned}, ` +
        `but ${others.length} of ${answered.length} repeats reached another backend.\n  answered: ${answered.join(', ')}`,
    );
  }
}

conformanceSuite('ingress', () => {
  let fromPod: Vantage;

  beforeAll(async () => {
    kube = liveKube();
    ns = namespaceName('ingress');
    tls = await tlsMaterial();
    controller = await controllerAddress(kube);
    await kube.apply([namespace(ns)]);
    await kube.apply(ingressBackends(ns, tls));
    // The adapter retries webhook errors for seconds; right after install the admission endpoint
    // can take longer, so Ingress creation gets its own, longer window.
    await pRetry(() => kube.apply(ingresses(ns)), {
      retries: 12,
      minTimeout: 2_000,
      maxTimeout: 5_000,
      shouldRetry: ({ error }) => /failed calling webhook/i.test(error.message),
    });
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'role=backend', minCount: 7 }, 180_000);
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'role=client', minCount: 1 }, 180_000);
    const client = { namespace: ns, pod: CLIENT_POD };
    fromPod = {
      label: 'from a pod to the controller',
      address: controller.podIp,
      run: (probes) => runBatch(kube, client, probes),
      results: new Map(),
    };
    await prepareClient((argv) => kube.exec(client, argv, { timeoutMs: 20_000 }), fromPod);
    await converge(fromPod, convergeMs());
  }, 360_000);

  afterAll(async () => {
    if (ns) await deleteNamespaces(kube, [ns]);
  }, 150_000);

  group('from a pod', () => {
    for (const c of INGRESS_CASES) check(c.title, NEEDS, async () => assertCase(c, fromPod));
    check('cookie affinity: requests carrying INGRESSCOOKIE stay on one backend', NEEDS, () => checkCookieAffinity(fromPod));
  });

  externalGroup('from outside the cluster', () => {
    let ready: Promise<Vantage> | undefined;
    /** Starts the client, writes its files, and sends every case (the controller has converged by now). */
    const fromOutside = (): Promise<Vantage> => {
      ready ??= (async () => {
        const client = await externalClient();
        const vantage: Vantage = {
          label: `from the external client to hostPort on node ${controller.node}`,
          address: controller.nodeIp,
          run: (probes) => runExternalBatch(client, probes),
          results: new Map(),
        };
        await prepareClient((argv) => client.exec(argv), vantage);
        await converge(vantage, settleWindowMs());
        return vantage;
      })();
      return ready;
    };
    for (const c of INGRESS_CASES) externalCheck(c.title, NEEDS, async () => assertCase(c, await fromOutside()));
    externalCheck('cookie affinity: requests carrying INGRESSCOOKIE stay on one backend', NEEDS, async () => checkCookieAffinity(await fromOutside()));
  });
});
