// The shape of cnimatrix.config.yaml. Every value parser writes its own message so that an error
// always names the bad value and the valid ones; the caller prefixes the field or flag name.

import { z } from 'zod';
import { knownVersions } from '../../clusters/index.ts';
import { CNI_NAMES, PROXY_MODES, SUITE_NAMES, type CniName, type UpgradeRequest } from '../model/cell.ts';
import { didYouMean } from './suggest.ts';
import { parseDuration } from './duration.ts';
import { MAX_PROBE_CONCURRENCY } from '../probe/batch.ts';

export const KEEP_POLICIES = ['none', 'failed', 'all'] as const;
export type KeepPolicy = (typeof KEEP_POLICIES)[number];

/** Phases with their own deadline, with defaults sized for a 2-node kind cluster on a laptop. */
export const TIMEOUT_PHASES = {
  clusterCreate: { defaultMs: 5 * 60_000, description: '`kind create cluster`, including waiting for the control plane; counted from the node image being present (a first pull has its own 30m bound)' },
  cniReady: { defaultMs: 5 * 60_000, description: 'CNI rolled out, nodes Ready, CoreDNS available' },
  ingressReady: { defaultMs: 3 * 60_000, description: 'ingress controller ready and its admission webhook answering' },
  suite: { defaultMs: 15 * 60_000, description: 'one conformance suite against one cell' },
  teardown: { defaultMs: 2 * 60_000, description: 'log export and `kind delete cluster`' },
  upgrade: { defaultMs: 10 * 60_000, description: "an upgrade cell's in-place CNI upgrade: the new version applied and rolled out on every node" },
} as const;
export type TimeoutPhase = keyof typeof TIMEOUT_PHASES;
export const TIMEOUT_PHASE_NAMES = Object.keys(TIMEOUT_PHASES) as TimeoutPhase[];

export const MAX_PARALLEL = 16;
export const MAX_WORKERS = 9;
/**
 * Cluster names are `cnimatrix-<runId>-<cellId>`; kind's node containers append
 * "-control-plane" and their hostnames must stay within 63 characters.
 */
export const RUN_ID_MAX_LENGTH = 20;
export const RUN_ID_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** A release's own pin carries its version: flannel-v0.26.7. */
const MANIFEST_ID = /^[a-z0-9][a-z0-9.-]*$/;
const SHA256 = /^[a-f0-9]{64}$/;

const show = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value));

/** A parser whose failures carry exactly the message we wrote. */
function parser<T>(parse: (value: unknown, fail: Fail) => T) {
  return z.unknown().transform((value, ctx): T => {
    try {
      return parse(value, (message) => {
        throw new ValueError(message);
      });
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });
}

class ValueError extends Error {}

/** Declared explicitly so that a call narrows types like `throw` does. */
type Fail = (message: string) => never;

/** A list of names from a YAML sequence or a comma-separated string. */
function nameList<const T extends string>(known: readonly T[], noun: string) {
  return parser((value: unknown, fail: Fail): T[] => {
    const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
    if (!Array.isArray(items)) fail(`expected a list of ${noun}s, got ${show(value)}; known: ${known.join(', ')}`);
    if (items.length === 0 || items.every((item) => item === '')) fail(`expected at least one ${noun}; known: ${known.join(', ')}`);
    const seen = new Set<T>();
    for (const item of items) {
      if (typeof item !== 'string' || !(known as readonly string[]).includes(item)) {
        const typed = typeof item === 'string' ? item : show(item);
        fail(`unknown ${noun} ${show(item)}; known: ${known.join(', ')}${didYouMean(typed, known)}`);
      }
      if (seen.has(item as T)) fail(`${noun} "${item}" is listed twice`);
      seen.add(item as T);
    }
    return [...seen];
  });
}

function oneOf<const T extends string>(known: readonly T[], noun: string) {
  return parser((value: unknown, fail: Fail): T => {
    if (typeof value !== 'string' || !(known as readonly string[]).includes(value)) {
      fail(`unknown ${noun} ${show(value)}; known: ${known.join(', ')}${typeof value === 'string' ? didYouMean(value, known) : ''}`);
    }
    return value as T;
  });
}

function boolean() {
  return parser((value: unknown, fail: Fail): boolean => {
    if (typeof value !== 'boolean') fail(`expected true or false, got ${show(value)}`);
    return value;
  });
}

function wholeNumber(min: number, max: number, noun: string) {
  return parser((value: unknown, fail: Fail): number => {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      fail(`${noun} must be a whole number from ${min} to ${max}, got ${show(value)}`);
    }
    return number;
  });
}

function text(noun: string) {
  return parser((value: unknown, fail: Fail): string => {
    if (typeof value !== 'string' || value.trim() === '') fail(`expected ${noun}, got ${show(value)}`);
    return value;
  });
}

export const parallelSchema = parser((value: unknown, fail: Fail): number | 'auto' => {
  if (value === 'auto') return 'auto';
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_PARALLEL) {
    fail(`expected "auto" or a whole number of clusters from 1 to ${MAX_PARALLEL}, got ${show(value)}`);
  }
  return number;
});

export const runIdSchema = parser((value: unknown, fail: Fail): string => {
  if (typeof value !== 'string' && typeof value !== 'number') fail(`expected a run id, got ${show(value)}`);
  const id = String(value);
  if (!RUN_ID_PATTERN.test(id) || id.length > RUN_ID_MAX_LENGTH) {
    fail(
      `invalid run id ${show(id)}: it becomes part of kind cluster names, so use 1 to ${RUN_ID_MAX_LENGTH} ` +
        'lowercase letters, digits and inner hyphens (e.g. 20260314-093000)',
    );
  }
  return id;
});

export const nodeImageSchema = parser((value: unknown, fail: Fail): string => {
  if (typeof value !== 'string' || !IMAGE_REF.test(value)) {
    fail(`invalid node image ${show(value)}; expected an image reference like kindest/node:v1.37.0@sha256:<64 hex digits>`);
  }
  return value;
});

/** An upgrade from the oldest to the newest version a profile knows, for messages. */
function exampleUpgrade(): string {
  const versions = knownVersions('flannel');
  return `flannel:${versions[0]}..${versions.at(-1)}`;
}

/** `<cni>:<from>..<to>` items, each CNI at most once, both versions known to its profile. */
export const upgradesSchema = parser((value: unknown, fail: Fail): UpgradeRequest[] => {
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
  if (!Array.isArray(items) || items.length === 0) fail(`expected a list of upgrades such as "${exampleUpgrade()}", got ${show(value)}`);
  const upgrades: UpgradeRequest[] = [];
  for (const item of items) {
    const match = typeof item === 'string' ? /^([a-z]+):([^.\s][^\s]*?)\.\.([^\s]+)$/.exec(item) : null;
    if (match === null) fail(`expected <cni>:<from>..<to> (e.g. "${exampleUpgrade()}"), got ${show(item)}`);
    const [, cni = '', from = '', to = ''] = match;
    if (!(CNI_NAMES as readonly string[]).includes(cni)) fail(`unknown CNI "${cni}" in ${show(item)}; known: ${CNI_NAMES.join(', ')}${didYouMean(cni, CNI_NAMES)}`);
    const versions = knownVersions(cni as CniName);
    for (const version of [from, to]) {
      if (!versions.includes(version)) fail(`unknown ${cni} version "${version}" in ${show(item)}; known ${cni} versions: ${versions.join(', ')}`);
    }
    if (from === to) fail(`${show(item)} upgrades ${cni} to the version it starts from; name two different versions (${versions.join(', ')})`);
    if (upgrades.some((u) => u.cni === cni)) fail(`${cni} is upgraded twice; one upgrade per CNI per run`);
    upgrades.push({ cni: cni as CniName, from, to });
  }
  return upgrades;
});

export const durationSchema = parser((value: unknown, fail: Fail): number => {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0) {
    fail(`invalid duration ${show(value)}; expected a positive number with a unit (ms, s, m, h), e.g. "90s", "5m", "1h30m"`);
  }
  return ms;
});

/** An object that rejects keys it does not know, suggesting the closest known one. */
function strictObject<Shape extends z.ZodRawShape>(shape: Shape, noun: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `unknown key "${key}"; known keys: ${known.join(', ')}${didYouMean(key, known)}`).join('\n');
      }
      if (issue.code === 'invalid_type') return `expected ${noun} (a mapping with keys ${known.join(', ')}), got ${show(issue.input)}`;
      return undefined;
    },
  });
}

const timeoutsShape = Object.fromEntries(TIMEOUT_PHASE_NAMES.map((phase) => [phase, durationSchema.optional()])) as Record<
  TimeoutPhase,
  z.ZodOptional<typeof durationSchema>
>;

const manifestOverrideSchema = strictObject(
  {
    url: parser((value: unknown, fail: Fail): string => {
      let url: URL | undefined;
      try {
        url = typeof value === 'string' ? new URL(value) : undefined;
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'file:')) {
        fail(`expected an https:// or file:// URL, got ${show(value)}`);
      }
      return value as string;
    }),
    sha256: parser((value: unknown, fail: Fail): string => {
      if (typeof value !== 'string' || !SHA256.test(value)) fail(`expected 64 lowercase hex digits, got ${show(value)}`);
      return value;
    }),
  },
  'a manifest override',
);

const manifestsSchema = parser((value: unknown, fail: Fail): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`expected a mapping from manifest id to { url, sha256 }, got ${show(value)}`);
  }
  for (const id of Object.keys(value)) {
    if (!MANIFEST_ID.test(id)) fail(`invalid manifest id "${id}"; ids are lowercase letters, digits, hyphens and dots, e.g. calico-operator or flannel-v0.26.7`);
  }
  return value as Record<string, unknown>;
}).pipe(z.record(z.string(), manifestOverrideSchema));

export type ManifestOverride = z.output<typeof manifestOverrideSchema>;

/** Every key cnimatrix.config.yaml may hold; all optional (defaults live in load.ts). */
export const configFileSchema = strictObject(
  {
    cnis: nameList(CNI_NAMES, 'CNI').optional(),
    proxyModes: nameList(PROXY_MODES, 'proxy mode').optional(),
    suites: nameList(SUITE_NAMES, 'suite').optional(),
    parallel: parallelSchema.optional(),
    keep: oneOf(KEEP_POLICIES, 'keep policy').optional(),
    strict: boolean().optional(),
    reportsDir: text('a directory path').optional(),
    runId: runIdSchema.optional(),
    nodeImage: nodeImageSchema.optional(),
    workers: wholeNumber(0, MAX_WORKERS, 'workers').optional(),
    probeConcurrency: wholeNumber(1, MAX_PROBE_CONCURRENCY, 'probeConcurrency').optional(),
    timeouts: strictObject(timeoutsShape, 'timeouts').optional(),
    kubeconfig: text('a kubeconfig path').optional(),
    reuse: boolean().optional(),
    preload: boolean().optional(),
    overrides: strictObject({ manifests: manifestsSchema.optional() }, 'overrides').optional(),
    upgrades: upgradesSchema.optional(),
    upgradeMaxGap: durationSchema.optional(),
  },
  'a configuration mapping',
);

export type ConfigFile = z.output<typeof configFileSchema>;
export type ConfigKey = keyof ConfigFile;
export const CONFIG_KEYS = Object.keys(configFileSchema.shape) as ConfigKey[];
