// Validation of policy scenario files: every error names the field path, the bad value and
// what is accepted, the way `kubectl apply` would reject the policy (plus typo checks).
import { z } from 'zod';
import { BadInputError } from '../model/errors.ts';
import { isStrictSubnet, parseCidr, parseIp } from './ip.ts';
import { L4_PROTOCOLS, SELECTOR_OPERATORS, podKey, policyKey, type NetworkPolicy, type Scenario } from './types.ts';

/** An object whose unknown fields are errors listing the known ones (a typo must not widen a policy). */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; known fields: ${known}` : undefined),
  });
}

function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: (issue) => `${show(issue.input)} is not one of ${values.join(', ')}` });
}

const protocolSchema = oneOf(L4_PROTOCOLS as readonly ['TCP', 'UDP', 'SCTP']);
const portNumberSchema = z.number().int().min(1).max(65535);
// IANA_SVC_NAME, as Kubernetes validates named ports.
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const labelsSchema = z.record(z.string(), z.string());

const requirementSchema = strict({
  key: z.string().min(1),
  operator: oneOf(SELECTOR_OPERATORS as readonly ['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
}).superRefine((requirement, ctx) => {
  const count = requirement.values?.length ?? 0;
  if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && count === 0) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${requirement.operator} needs at least one value` });
  }
  if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && count > 0) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${requirement.operator} takes no values` });
  }
});

const selectorSchema = strict({
  matchLabels: labelsSchema.optional(),
  matchExpressions: z.array(requirementSchema).optional(),
});

const ipBlockSchema = strict({ cidr: z.string(), except: z.array(z.string()).optional() }).superRefine((block, ctx) => {
  const cidr = parseCidr(block.cidr);
  if (!cidr) {
    ctx.addIssue({ code: 'custom', path: ['cidr'], message: `${show(block.cidr)} is not a CIDR such as 10.0.0.0/24 or fd00::/64` });
    return;
  }
  (block.except ?? []).forEach((text, i) => {
    const except = parseCidr(text);
    if (!except) ctx.addIssue({ code: 'custom', path: ['except', i], message: `${show(text)} is not a CIDR such as 10.0.0.0/24 or fd00::/64` });
    else if (!isStrictSubnet(except, cidr)) ctx.addIssue({ code: 'custom', path: ['except', i], message: `${show(text)} must be a strict subset of cidr ${block.cidr}` });
  });
});

const peerSchema = strict({
  podSelector: selectorSchema.optional(),
  namespaceSelector: selectorSchema.optional(),
  ipBlock: ipBlockSchema.optional(),
}).superRefine((peer, ctx) => {
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (!selectors && peer.ipBlock === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a peer needs podSelector, namespaceSelector or ipBlock (an empty peer is rejected by the API server)' });
  }
  if (selectors && peer.ipBlock !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['ipBlock'], message: 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer; use separate peers' });
  }
});

const policyPortSchema = strict({
  protocol: protocolSchema.optional(),
  port: z
    .union([z.number(), z.string()], { error: (issue) => `${show(issue.input)} is neither a port number 1-65535 nor a container port name` })
    .superRefine((port, ctx) => {
      const valid = typeof port === 'number' ? Number.isInteger(port) && port >= 1 && port <= 65535 : PORT_NAME.test(port);
      if (!valid) {
        ctx.addIssue({ code: 'custom', message: `${show(port)} is neither a port number 1-65535 nor a container port name (lowercase IANA service name of at most 15 characters)` });
      }
    })
    .optional(),
  endPort: portNumberSchema.optional(),
}).superRefine((entry, ctx) => {
  if (entry.endPort === undefined) return;
  if (typeof entry.port !== 'number') ctx.addIssue({ code: 'custom', path: ['endPort'], message: 'endPort needs a numeric port' });
  else if (entry.endPort < entry.port) ctx.addIssue({ code: 'custom', path: ['endPort'], message: `endPort ${entry.endPort} is below port ${entry.port}` });
});

const policySchema = z.looseObject({
  apiVersion: z.literal('networking.k8s.io/v1', { error: (issue) => `${show(issue.input)} is not networking.k8s.io/v1` }).optional(),
  kind: z.literal('NetworkPolicy', { error: (issue) => `${show(issue.input)} is not NetworkPolicy` }).optional(),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional(), labels: labelsSchema.optional() }),
  spec: strict({
    podSelector: selectorSchema,
    policyTypes: z.array(oneOf(['Ingress', 'Egress'])).optional(),
    ingress: z.array(strict({ from: z.array(peerSchema).optional(), ports: z.array(policyPortSchema).optional() })).optional(),
    egress: z.array(strict({ to: z.array(peerSchema).optional(), ports: z.array(policyPortSchema).optional() })).optional(),
  }),
});

const ipSchema = z.string().refine((text) => parseIp(text) !== undefined, { error: (issue) => `${show(issue.input)} is not an IPv4 or IPv6 address` });

const podSchema = strict({
  namespace: z.string().min(1),
  name: z.string().min(1),
  labels: labelsSchema.default({}),
  ip: ipSchema,
  ips: z.array(ipSchema).optional(),
  hostIP: ipSchema.optional(),
  containerPorts: z
    .array(strict({ name: z.string().regex(PORT_NAME).optional(), containerPort: portNumberSchema, protocol: protocolSchema.optional() }))
    .default([]),
});

const scenarioSchema = strict({
  namespaces: z.record(z.string(), labelsSchema).default({}),
  pods: z.array(podSchema),
  policies: z.array(policySchema).default([]),
  probes: z.array(strict({ port: portNumberSchema, protocol: protocolSchema.default('TCP') })).min(1),
}).superRefine((scenario, ctx) => {
  const firstPodAt = new Map<string, number>();
  const ownerOfIp = new Map<string, string>();
  scenario.pods.forEach((pod, i) => {
    const key = podKey(pod);
    if (firstPodAt.has(key)) ctx.addIssue({ code: 'custom', path: ['pods', i], message: `pod ${key} is also pods[${firstPodAt.get(key)}]; pods need unique namespace/name` });
    else firstPodAt.set(key, i);
    for (const ip of new Set([pod.ip, ...(pod.ips ?? [])])) {
      const address = parseIp(ip);
      if (!address) continue;
      const canonical = `${address.family}:${address.value}`;
      const owner = ownerOfIp.get(canonical);
      if (owner !== undefined && owner !== key) ctx.addIssue({ code: 'custom', path: ['pods', i], message: `IP ${ip} of pod ${key} is also the IP of pod ${owner}` });
      ownerOfIp.set(canonical, key);
    }
  });
  const firstPolicyAt = new Map<string, number>();
  scenario.policies.forEach((policy, i) => {
    const key = policyKey(policy as NetworkPolicy);
    if (firstPolicyAt.has(key)) ctx.addIssue({ code: 'custom', path: ['policies', i], message: `policy ${key} is also policies[${firstPolicyAt.get(key)}]; policies need unique namespace/name` });
    else firstPolicyAt.set(key, i);
  });
});

// Compile-time proof that what the schema accepts is what the engine reads.
const checkedScenarioSchema: z.ZodType<Scenario> = scenarioSchema;

/** Validates one scenario; throws BadInputError listing every bad field by path. */
export function parseScenario(json: unknown): Scenario {
  return parseWith(checkedScenarioSchema, json, '');
}

/** A file holding one scenario or an array of them; `isArray` tells which, to answer in kind. */
export function parseScenarios(json: unknown): { scenarios: Scenario[]; isArray: boolean } {
  if (Array.isArray(json)) return { scenarios: parseWith(z.array(checkedScenarioSchema), json, 'scenarios'), isArray: true };
  return { scenarios: [parseScenario(json)], isArray: false };
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, root: string): T {
  const result = schema.safeParse(json, { error: defaultMessage });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${fieldPath(root, issue.path) || '(top level)'}: ${issue.message}`);
  throw new BadInputError(`invalid policy scenario:\n  ${lines.join('\n  ')}`, 'fix the fields above; docs/policy-eval.md describes the file format');
}

function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${show(issue.input)}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}` : `${show(issue.input)} is below the minimum ${String(issue.minimum)}`;
    case 'too_big':
      return `${show(issue.input)} is above the maximum ${String(issue.maximum)}`;
    case 'invalid_format':
      return `${show(issue.input)} is not a valid name (lowercase letters, digits and single hyphens, at most 15 characters, at least one letter)`;
    default:
      return undefined;
  }
}

function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
