// What `cnimatrix policy` reads: a scenario file (docs/policy-eval.md), or the files users have —
// Kubernetes objects (NetworkPolicy, Pod, Namespace, or a List of them) in one or many YAML
// documents, from files or standard input — merged into one scenario.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { BadInputError } from '../model/errors.ts';
import { parseScenarios, type L4Protocol, type Scenario } from '../netpol/index.ts';

/** Reads all of standard input (used for FILE "-"). */
export type StdinReader = () => Promise<string>;

export interface Probe {
  port: number;
  protocol: L4Protocol;
}

const FORMAT_HINT = 'docs/policy-eval.md describes the file format';
const OBJECT_KINDS = ['NetworkPolicy', 'Pod', 'Namespace', 'List'];
/** Pods described without an IP get one from here (shared address space, unlikely in an ipBlock). */
const SYNTHETIC_POD_NET = '100.64.0.';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readDocuments(file: string, readStdin: StdinReader): Promise<unknown[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`cannot read scenario file ${file}: ${(error as Error).message}`, 'give the path of a scenario or Kubernetes YAML file, or - for standard input');
  }
  const where = file === '-' ? 'standard input' : file;
  // JSON files stay strict JSON; YAML (which also reads JSON) for *.yaml and standard input.
  if (file !== '-' && !/\.ya?ml$/i.test(file)) {
    try {
      return [JSON.parse(text)];
    } catch (error) {
      throw new BadInputError(`${where} is not valid JSON: ${(error as Error).message}`, FORMAT_HINT);
    }
  }
  const documents = parseAllDocuments(text);
  const broken = (Array.isArray(documents) ? documents : [documents]).find((d) => d.errors.length > 0);
  if (broken) throw new BadInputError(`${where} is not valid YAML: ${broken.errors[0]!.message}`, FORMAT_HINT);
  return (Array.isArray(documents) ? documents : [documents]).map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

const isKubernetesObject = (doc: unknown): boolean => isObject(doc) && (doc.kind !== undefined || doc.apiVersion !== undefined);

/** The scenarios of `files`: a scenario file as is, anything else merged into one scenario. */
export async function readPolicyScenarios(files: string[], readStdin: StdinReader, probes: Probe[] = []): Promise<{ scenarios: Scenario[]; isArray: boolean }> {
  const documents = (await Promise.all(files.map((file) => readDocuments(file, readStdin)))).flat();
  if (documents.length === 1 && !isKubernetesObject(documents[0])) {
    const only = documents[0];
    return parseScenarios(probes.length > 0 && isObject(only) && only.probes === undefined ? { ...only, probes } : only);
  }
  return parseScenarios(mergeDocuments(documents, probes));
}

function mergeDocuments(documents: unknown[], probes: Probe[]): Json {
  const scenario = { namespaces: {} as Record<string, unknown>, pods: [] as unknown[], policies: [] as unknown[], probes: [...probes] as unknown[] };
  const add = (doc: unknown, where: string): void => {
    if (!isObject(doc)) throw new BadInputError(`${where} is not an object`, FORMAT_HINT);
    if (!isKubernetesObject(doc)) {
      // A scenario fragment: e.g. the pods (and probes) the policies are evaluated over.
      Object.assign(scenario.namespaces, isObject(doc.namespaces) ? doc.namespaces : {});
      for (const key of ['policies', 'probes'] as const) if (Array.isArray(doc[key])) scenario[key].push(...(doc[key] as unknown[]));
      for (const pod of Array.isArray(doc.pods) ? doc.pods : []) {
        scenario.pods.push(isObject(pod) && pod.ip === undefined ? { ...pod, ip: `${SYNTHETIC_POD_NET}${scenario.pods.length + 1}` } : pod);
      }
      return;
    }
    const kind = String(doc.kind);
    if (kind === 'List') (Array.isArray(doc.items) ? doc.items : []).forEach((item, i) => add(item, `${where}.items[${i}]`));
    else if (kind === 'NetworkPolicy') scenario.policies.push(doc);
    else if (kind === 'Pod') scenario.pods.push(podFromObject(doc, scenario.pods.length));
    else if (kind === 'Namespace') scenario.namespaces[String((doc.metadata as Json | undefined)?.name)] = (doc.metadata as Json | undefined)?.labels ?? {};
    else throw new BadInputError(`${where}: kind ${kind} is not something policy eval reads`, `give ${OBJECT_KINDS.join(', ')} objects, or a scenario file (${FORMAT_HINT})`);
  };
  documents.forEach((doc, i) => add(doc, `document ${i + 1}`));
  if (scenario.pods.length === 0) {
    throw new BadInputError('no pods: the verdicts are about pods, and the files hold none', 'add Pod objects (e.g. `kubectl get pods -A -o yaml`) or a document `pods: [{namespace: x, name: a, labels: {app: web}}]`');
  }
  if (scenario.probes.length === 0) scenario.probes.push(...probesOfPolicies(scenario.policies));
  if (scenario.probes.length === 0) throw new BadInputError('no probes: no policy names a numeric port to evaluate', 'add a document `probes: [{port: 80, protocol: TCP}]`');
  return scenario;
}

/** A Pod object (from kubectl or hand-written) as a scenario pod; without an IP it gets one. */
function podFromObject(pod: Json, index: number): Json {
  const metadata = (pod.metadata ?? {}) as Json;
  const status = (pod.status ?? {}) as Json;
  const spec = (pod.spec ?? {}) as Json;
  const ips = Array.isArray(status.podIPs) ? (status.podIPs as Json[]).map((p) => String(p.ip)) : [];
  const ip = typeof status.podIP === 'string' ? status.podIP : (ips[0] ?? `${SYNTHETIC_POD_NET}${index + 1}`);
  const containers = Array.isArray(spec.containers) ? (spec.containers as Json[]) : [];
  return {
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : 'default',
    name: metadata.name,
    labels: metadata.labels ?? {},
    ip,
    ...(ips.length > 1 ? { ips } : {}),
    ...(typeof status.hostIP === 'string' ? { hostIP: status.hostIP } : {}),
    containerPorts: containers.flatMap((c) => (Array.isArray(c.ports) ? (c.ports as Json[]) : [])).map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      containerPort: p.containerPort,
      ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    })),
  };
}

/** Every numeric port the policies name, with its protocol: what eval tabulates by default. */
function probesOfPolicies(policies: unknown[]): Probe[] {
  const seen = new Map<string, Probe>();
  for (const policy of policies) {
    const spec = ((policy as Json).spec ?? {}) as Json;
    const rules = [...(Array.isArray(spec.ingress) ? spec.ingress : []), ...(Array.isArray(spec.egress) ? spec.egress : [])] as Json[];
    for (const rule of rules) {
      for (const entry of (Array.isArray(rule.ports) ? rule.ports : []) as Json[]) {
        if (typeof entry.port !== 'number') continue;
        const protocol = (typeof entry.protocol === 'string' ? entry.protocol : 'TCP') as L4Protocol;
        seen.set(`${entry.port}/${protocol}`, { port: entry.port, protocol });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

