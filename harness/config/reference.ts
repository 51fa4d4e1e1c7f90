// The configuration reference: one entry per key, with its flag. The CLI builds its options from
// this list and the README's configuration table is rendered from it, so the two cannot drift.

import { knownVersions } from '../../clusters/index.ts';
import { CNI_NAMES, PROXY_MODES, SUITE_NAMES } from '../model/cell.ts';
import { DEFAULT_UPGRADE_MAX_GAP_MS } from '../upgrade/thresholds.ts';
import { DEFAULT_WORKERS } from '../plan/index.ts';
import { formatDuration } from './duration.ts';
import { DEFAULT_PROBE_CONCURRENCY, MAX_PROBE_CONCURRENCY } from '../probe/batch.ts';
import { KEEP_POLICIES, MAX_PARALLEL, MAX_WORKERS, RUN_ID_MAX_LENGTH, TIMEOUT_PHASES, TIMEOUT_PHASE_NAMES } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'cnimatrix.config.yaml';

export interface FlagDoc {
  /** Commander flag spec, e.g. "--cni <names>". */
  spec: string;
  /** Spec of the flag that turns a boolean off again, e.g. "--no-strict". */
  negation?: string;
  /** The flag may be given several times. */
  repeatable?: boolean;
}

export interface ConfigOptionDoc {
  /** Key path in cnimatrix.config.yaml. */
  key: string;
  type: string;
  default: string;
  flag?: FlagDoc;
  description: string;
}

export const CONFIG_FILE_FLAG: FlagDoc & { description: string } = {
  spec: '--config <file>',
  description: `configuration file (default: ./${DEFAULT_CONFIG_FILE} when it exists)`,
};

export const documentedConfig: readonly ConfigOptionDoc[] = [
  {
    key: 'cnis',
    type: `list of ${CNI_NAMES.join(' | ')}`,
    default: 'all',
    flag: { spec: '--cni <names>' },
    description: 'CNIs to test (comma-separated on the command line)',
  },
  {
    key: 'proxyModes',
    type: `list of ${PROXY_MODES.join(' | ')}`,
    default: 'all',
    flag: { spec: '--proxy-mode <modes>' },
    description: 'kube-proxy modes to test; `none` means no kube-proxy (the CNI must replace it)',
  },
  {
    key: 'suites',
    type: `list of ${SUITE_NAMES.join(' | ')}`,
    default: 'all',
    flag: { spec: '--suites <names>' },
    description: 'conformance suites to run against every cell',
  },
  {
    key: 'parallel',
    type: `\`auto\` or 1-${MAX_PARALLEL}`,
    default: 'auto',
    flag: { spec: '--parallel <n>' },
    description: 'clusters alive at once; `auto` = min(cells, CPUs / 2, free memory / (2 GiB x nodes per cluster))',
  },
  {
    key: 'keep',
    type: KEEP_POLICIES.join(' | '),
    default: 'none',
    flag: { spec: '--keep <policy>' },
    description: 'which clusters survive the run: none, those of failed cells (to debug them), or all',
  },
  {
    key: 'strict',
    type: 'boolean',
    default: 'false',
    flag: { spec: '--strict', negation: '--no-strict' },
    description: 'run tests even where the cell lacks a capability they need (they then fail instead of being skipped)',
  },
  {
    key: 'reportsDir',
    type: 'path',
    default: 'reports',
    flag: { spec: '--reports-dir <dir>' },
    description: 'where `<run-id>/` folders with JUnit, matrix and troubleshooting bundles are written',
  },
  {
    key: 'runId',
    type: `string (lowercase letters, digits, hyphens; at most ${RUN_ID_MAX_LENGTH})`,
    default: 'UTC time `YYYYMMDD-HHMMSS`',
    flag: { spec: '--run-id <id>' },
    description: 'names the run folder and the kind clusters (`cnimatrix-<run-id>-<cell>`)',
  },
  {
    key: 'nodeImage',
    type: 'image reference',
    default: "the CNI profile's pinned kindest/node image",
    flag: { spec: '--node-image <image>' },
    description: 'kind node image for every cluster; pin it by digest',
  },
  {
    key: 'workers',
    type: `0-${MAX_WORKERS}`,
    default: String(DEFAULT_WORKERS),
    flag: { spec: '--workers <n>' },
    description: 'worker nodes per cluster besides the control plane (cross-node checks need two schedulable nodes; with one they are reported unsupported with that reason and the rest run)',
  },
  {
    key: 'probeConcurrency',
    type: `1-${MAX_PROBE_CONCURRENCY}`,
    default: String(DEFAULT_PROBE_CONCURRENCY),
    flag: { spec: '--probe-concurrency <n>' },
    description:
      'probe processes (agnhost, curl, dig) running at once in one cell, over all source pods; each source runs its probes in waves of at least 4 (see docs/verdicts.md)',
  },
  ...TIMEOUT_PHASE_NAMES.map(
    (phase): ConfigOptionDoc => ({
      key: `timeouts.${phase}`,
      type: 'duration (`90s`, `5m`, `1h30m`)',
      default: formatDuration(TIMEOUT_PHASES[phase].defaultMs),
      flag: { spec: '--timeout <phase=duration>', repeatable: true },
      description: `deadline for ${TIMEOUT_PHASES[phase].description}`,
    }),
  ),
  {
    key: 'kubeconfig',
    type: 'path',
    default: 'unset',
    flag: { spec: '--kubeconfig <path>' },
    description: 'test an existing cluster (any provider) instead of creating kind clusters; its CNI and proxy mode are detected (see Existing clusters), or given with one --cni and one --proxy-mode',
  },
  {
    key: 'reuse',
    type: 'boolean',
    default: 'false',
    flag: { spec: '--reuse', negation: '--no-reuse' },
    description: 'keep each cell\'s cluster (named cnimatrix-reuse-<cell>) between runs: created and installed once, reused and never deleted by later --reuse runs (`cnimatrix clean` removes them)',
  },
  {
    key: 'preload',
    type: 'boolean',
    default: 'false',
    flag: { spec: '--preload', negation: '--no-preload' },
    description: 'load test and CNI images from the local Docker daemon into each cluster (`kind load`) so nodes pull nothing',
  },
  {
    key: 'upgrades',
    type: 'list of `<cni>:<from>..<to>`',
    default: 'none',
    flag: { spec: '--upgrade <upgrades>' },
    description:
      'upgrade cells (comma-separated on the command line), one per CNI and proxy mode: install `from`, upgrade in place to `to` under the disruption monitor, then run the suites; known versions: ' +
      CNI_NAMES.map((cni) => `${cni} ${knownVersions(cni).join(', ')}`).join('; ') +
      '. Without `cnis`, only the upgrade cells run',
  },
  {
    key: 'upgradeMaxGap',
    type: 'duration',
    default: formatDuration(DEFAULT_UPGRADE_MAX_GAP_MS),
    flag: { spec: '--upgrade-max-gap <duration>' },
    description: 'longest time a monitored path (pod to pod, to a Service, DNS) may go unanswered during an upgrade and still pass (docs/verdicts.md)',
  },
  {
    key: 'overrides.manifests.<id>',
    type: '{ url, sha256 }',
    default: 'none',
    description: 'replace a pinned manifest or archive (e.g. a mirror, a local `file://` copy, or `cilium-cli` with the sha256 from its release checksum file); its sha256 is still verified',
  },
];

/** The flag documentation of `--timeout`, listing its phases (the table has one row per phase). */
export const TIMEOUT_FLAG_DESCRIPTION = `deadline of one phase, repeatable; phases: ${TIMEOUT_PHASE_NAMES.join(', ')} (e.g. --timeout clusterCreate=10m)`;

/** The configuration reference as a Markdown table. */
export function renderConfigReference(): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const rows = documentedConfig.map((option) => {
    const flag = option.flag === undefined ? '' : [option.flag.spec, option.flag.negation].filter(Boolean).map((f) => `\`${f}\``).join(' / ');
    return `| \`${option.key}\` | ${escape(option.type)} | ${escape(option.default)} | ${escape(flag)} | ${escape(option.description)} |`;
  });
  return ['| key | type | default | flag | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
