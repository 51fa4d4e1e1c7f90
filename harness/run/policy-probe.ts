// Whether an existing cluster enforces NetworkPolicy at all, asked when its CNI's profile says it
// would: a server and a client pod, then a deny-all-ingress policy on the server. cnimatrix did not
// install that CNI, and it may run with its policy engine off (a configuration, not a defect), so
// without enforcement the policy checks are unsupported with the evidence instead of all red. The
// look after applying the policy follows the verdict rule for changes (docs/verdicts.md): the CNI
// gets the settle window to program it.
import { testImages } from '../../clusters/versions.ts';
import type { ExecTarget, Kube, KubeObject } from '../kube/types.ts';
import { connectCommand } from '../probe/commands.ts';
import { settleWindowMs } from '../probe/matrix.ts';
import { classify, describeResult, type ProbeResult } from '../probe/outcome.ts';

export const POLICY_PROBE_NAMESPACE = 'cnimatrix-policy-probe';
const PORT = 80;
const CONNECT_TIMEOUT_SECONDS = 2;
const READY_TIMEOUT_MS = 2 * 60_000;
const NAMESPACE_GONE_TIMEOUT_MS = 2 * 60_000;
/** Before any policy: the path must work, given the time a fresh pod's network may need. */
const OPEN_WINDOW_MS = 30_000;

export type PolicyEnforcement = { enforced: true; afterMs: number } | { enforced: false; evidence: string } | { unknown: string };

function pod(name: string, args: string[], ready?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: POLICY_PROBE_NAMESPACE, labels: { app: name } },
    spec: {
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 0,
      containers: [{ name, image: testImages.agnhost, imagePullPolicy: 'IfNotPresent', args, ...(ready ? { readinessProbe: ready } : {}) }],
    },
  };
}

const DENY_ALL_INGRESS: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all-ingress', namespace: POLICY_PROBE_NAMESPACE },
  spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(kube: Kube, client: ExecTarget, ip: string): Promise<ProbeResult> {
  const command = connectCommand(ip, PORT, 'TCP', CONNECT_TIMEOUT_SECONDS);
  const result = await kube.exec(client, command, { timeoutMs: (CONNECT_TIMEOUT_SECONDS + 10) * 1000 });
  return classify('policy-probe', command, result.exitCode, `${result.stdout}${result.stderr}`.trim());
}

/** Looks every second until `done` holds or `windowMs` is over; the last result either way. */
async function lookUntil(kube: Kube, client: ExecTarget, ip: string, windowMs: number, done: (r: ProbeResult) => boolean, signal: AbortSignal | undefined) {
  const started = Date.now();
  let attempts = 0;
  for (;;) {
    if (signal?.aborted) throw new Error('the policy enforcement probe stopped: the run was interrupted');
    attempts++;
    const result = await connect(kube, client, ip);
    if (done(result) || Date.now() - started >= windowMs) return { result, attempts, elapsedMs: Date.now() - started, done: done(result) };
    await sleep(1_000);
  }
}

export async function policyEnforcement(kube: Kube, signal?: AbortSignal): Promise<PolicyEnforcement> {
  await kube.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: POLICY_PROBE_NAMESPACE } },
    // A TCP-only netexec is Ready once its port accepts (its /healthz waits for a UDP server).
    pod('server', ['netexec', `--http-port=${PORT}`, '--udp-port=-1'], { tcpSocket: { port: PORT }, periodSeconds: 1 }),
    pod('client', ['pause']),
  ]);
  try {
    await kube.waitFor({ kind: 'podsReady', namespace: POLICY_PROBE_NAMESPACE, minCount: 2 }, READY_TIMEOUT_MS, signal);
    const server = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: POLICY_PROBE_NAMESPACE, name: 'server' });
    const ip = (server?.['status'] as { podIP?: string } | undefined)?.podIP;
    if (!ip) return { unknown: 'the probe server pod has no IP' };
    const client: ExecTarget = { namespace: POLICY_PROBE_NAMESPACE, pod: 'client', container: 'client' };
    const connected = (r: ProbeResult) => r.outcome === 'connected';
    const open = await lookUntil(kube, client, ip, OPEN_WINDOW_MS, connected, signal);
    if (!open.done) return { unknown: `before any policy the client pod could not reach the server pod (${ip}:${PORT}): ${describeResult(open.result)}` };
    await kube.apply([DENY_ALL_INGRESS]);
    // Blocked is a timeout or a refusal; a probe that did not run says nothing and is looked at again.
    const blocked = (r: ProbeResult) => r.outcome === 'timeout' || r.outcome === 'refused';
    const denied = await lookUntil(kube, client, ip, settleWindowMs(), blocked, signal);
    if (denied.done) return { enforced: true, afterMs: denied.elapsedMs };
    if (!connected(denied.result)) return { unknown: `after a deny-all ingress policy the probe said nothing about the path: ${describeResult(denied.result)}` };
    return {
      enforced: false,
      evidence: `a deny-all ingress NetworkPolicy left the client pod connected to the server pod (${ip}:${PORT}) for ${(denied.elapsedMs / 1000).toFixed(1)} s (${denied.attempts} looks)`,
    };
  } finally {
    // Interrupted, the deletion is asked for but not waited on: the run is ending.
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: POLICY_PROBE_NAMESPACE }, { wait: signal?.aborted !== true, timeoutMs: NAMESPACE_GONE_TIMEOUT_MS });
  }
}
