// `cnimatrix run`: configuration → plan → cells in parallel (each a list of timed actions) →
// JUnit per cell as soon as it ends → matrix. No cluster outlives the run unless asked to.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { toPlanRequest, type Config } from '../config/index.ts';
import { createKind, type Kind, type KindError } from '../kind/index.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../kube/errors.ts';
import { createKube } from '../kube/index.ts';
import type { Kube } from '../kube/types.ts';
import type { CellResult, TestStatus } from '../model/results.ts';
import { BadInputError, CnimatrixError, ExitCode } from '../model/errors.ts';
import { buildPlan, defaultCacheDir, refusedCellsError, type Plan, type PlannedCell } from '../plan/index.ts';
import { writeConformanceReport } from '../report/conformance.ts';
import { readCellJUnit } from '../report/junit-read.ts';
import { cellJUnitPath, writeCellJUnit } from '../report/junit-write.ts';
import { buildMatrix, type RunInfo } from '../report/matrix.ts';
import { writeMatrixFiles, writeRunReports } from '../report/run-reports.ts';
import { cnimatrixVersion } from '../report/version.ts';
import { runCell } from './cell-runner.ts';
import type { CellContext, ClusterMode } from './context.ts';
import { clusterKubernetesVersion } from './detect.ts';
import { describeExistingCluster, hasIngressClass, type ClusterDescription } from './existing-cluster.ts';
import { handleInterrupts } from './interrupts.ts';
import { leakedClusters, REUSE_RUN_ID } from './leaks.ts';
import { chooseParallel } from './parallelism.ts';
import { createProgress, type Progress } from './progress.ts';
import { readRunState, resumedConfig, RUN_STATE_FILE, writeRunState } from './run-state.ts';
import { counted } from '../model/count.ts';

export interface RunOptions {
  config: Config;
  /** Finish an earlier run: only its cells without JUnit are run. */
  resumeDir?: string;
  /** With --kubeconfig: what the user said the cluster is (the rest is detected). */
  describe?: ClusterDescription;
  kind?: Kind;
  progress?: (cellIds: readonly string[]) => Progress;
  note?: (line: string) => void;
  /** Exit used by a forced (second) interrupt. */
  exit?: (code: number) => void;
}

export interface RunOutcome {
  exitCode: number;
  runDir: string;
  results: CellResult[];
  plan: Plan;
}

const FAILED: readonly TestStatus[] = ['fail', 'error'];

/** The line of kind's stderr that says what went wrong, without the command echo. */
function kindReason(error: KindError): string {
  const line = error.stderr.split('\n').find((l) => l.startsWith('ERROR:')) ?? error.message;
  return line.replace(/^ERROR: /, '').slice(0, 300);
}

function modeOf(config: Config): ClusterMode {
  if (config.kubeconfig) return 'existing';
  return config.reuse ? 'reuse' : 'kind';
}

/** No answer, or one refusing our credentials: the user's cluster or kubeconfig, not a bug. */
const UNREACHABLE_STATUS = new Set([0, 401, 403]);

/** Node's (OpenSSL's) codes for a server certificate the client does not trust. */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What is wrong between the kubeconfig and its API server, and what to check, by the kind of refusal. */
function kubeconfigProblem(error: KubeApiError, server: string, where: string, kubeconfig: string): { problem: string; hint: string } {
  if (error.status === 0 && UNTRUSTED_CERTIFICATE.has(error.reason)) {
    return {
      problem: `the API server ${server} presents a certificate that the kubeconfig's certificate authority does not vouch for (${where}): ${error.reason}`,
      hint: `the cluster's certificate-authority(-data) in the kubeconfig must be the CA that signed the server's certificate, and the server address one the certificate names; a kubeconfig's CA is used instead of the system's, so no system trust store helps: \`kubectl --kubeconfig ${kubeconfig} cluster-info\` shows the same error`,
    };
  }
  if (error.status === 0) {
    return { problem: `cannot reach the API server ${server} (${where}): ${error.message}`, hint: `check that the cluster is up and the kubeconfig is current: \`kubectl --kubeconfig ${kubeconfig} cluster-info\`` };
  }
  if (error.status === 401) {
    return {
      problem: `the API server ${server} does not accept the kubeconfig's credentials (${where}): 401 Unauthorized`,
      hint: `the user's token or client certificate is wrong or expired; refresh the kubeconfig (\`kubectl --kubeconfig ${kubeconfig} auth whoami\` says who the server thinks you are)`,
    };
  }
  return {
    problem: `the kubeconfig's user may not do what cnimatrix needs on ${server} (${where}): ${error.message}`,
    hint: 'cnimatrix reads nodes and kube-system, creates namespaces, pods, Services and NetworkPolicies and execs into pods: run it as a cluster administrator (e.g. the cluster-admin ClusterRole)',
  };
}

/** Runs `ask` against the --kubeconfig cluster; an API server that cannot be used is exit 3, naming where and why. */
async function unlessUnreachable<T>(config: Config, kube: Kube, ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof KubeApiError) || !UNREACHABLE_STATUS.has(error.status)) throw error;
    const kc = new KubeConfig();
    kc.loadFromFile(config.kubeconfig!);
    const where = `context "${kc.getCurrentContext()}" of kubeconfig ${config.kubeconfig}`;
    const { problem, hint } = kubeconfigProblem(error, kube.server, where, config.kubeconfig!);
    throw new CnimatrixError(problem, { exitCode: ExitCode.environmentMissing, hint });
  }
}

async function planFor(config: Config, mode: ClusterMode, existing: Kube | undefined, opts: RunOptions, note: (l: string) => void): Promise<Plan> {
  const request = toPlanRequest(config);
  if (mode === 'reuse') return buildPlan({ ...request, runId: REUSE_RUN_ID });
  if (mode === 'existing' && existing) {
    const { cni, proxyMode, detected } = await unlessUnreachable(config, existing, () => describeExistingCluster(existing, opts.describe ?? {}));
    if (detected.length > 0) note(`detected ${detected.join(', ')}`);
    const plan = buildPlan({ ...request, cnis: [cni], proxyModes: [proxyMode], ingress: false, existingCluster: true });
    const hasNginx = await unlessUnreachable(config, existing, () => hasIngressClass(existing, 'nginx'));
    if (!hasNginx) note('no IngressClass "nginx" in the cluster: ingress checks will be reported unsupported');
    return {
      ...plan,
      cells: plan.cells.map((cell) => ({
        ...cell,
        clusterName: existing.server,
        capabilities: hasNginx ? cell.capabilities : cell.capabilities.filter((c) => c !== 'ingress'),
      })),
    };
  }
  return buildPlan(request);
}


function exitCodeFor(results: readonly CellResult[], interrupted: boolean): number {
  if (interrupted) return ExitCode.interrupted;
  if (results.some((r) => r.tests.some((t) => FAILED.includes(t.status)))) return ExitCode.testFailures;
  if (results.some((r) => r.error)) return ExitCode.infrastructure;
  return ExitCode.ok;
}

interface Prepared {
  plan: Plan;
  kind: Kind;
  kindVersion: string;
  todo: PlannedCell[];
  parallel: number;
  kubernetesVersion: string | undefined;
}

interface PrepareInput {
  config: Config;
  opts: RunOptions;
  state: Awaited<ReturnType<typeof readRunState>> | undefined;
  runDir: string;
  mode: ClusterMode;
  existing: Kube | undefined;
  startedAt: string;
  note: (line: string) => void;
}

/** Everything before the first cell: the plan, kind, the run directory and its state. */
async function prepare({ config, opts, state, runDir, mode, existing, startedAt, note }: PrepareInput): Promise<Prepared> {
  const plan = await planFor(config, mode, existing, opts, note);
  // Before kind is even asked: a cell whose pins cannot work must not cost a cluster.
  if (plan.refused.length > 0) throw refusedCellsError(plan.refused);
  for (const u of plan.unsupported) note(`unsupported: ${u.id}: ${u.reason}`);
  for (const w of plan.warnings) note(`warning: ${w}`);
  for (const cell of plan.cells) for (const w of cell.warnings) note(`warning: ${cell.id}: ${w}`);
  // A run that tests nothing must not look like a green one.
  if (plan.cells.length === 0) {
    throw new BadInputError(
      `nothing to run: none of the requested combinations can run (${plan.unsupported.map((u) => u.id).join(', ') || 'no cells'})`,
      'pick a CNI and proxy mode that go together; `cnimatrix plan` lists the cells and why the others are unsupported',
    );
  }

  const kind = opts.kind ?? createKind({ onRetry: (e) => note(`kind ${e.error.args.slice(0, 2).join(' ')}: attempt ${e.attempt} failed (${kindReason(e.error)}); retrying, ${e.retriesLeft} left`) });
  const kindVersion = mode === 'existing' ? 'n/a' : (await kind.version()).version;
  if (mode !== 'existing') {
    const leaked = await leakedClusters(kind, config.runId);
    if (leaked.length > 0) {
      note(`${counted(leaked.length, 'cluster')} left by earlier runs: ${leaked.join(', ')}; \`cnimatrix clean\` deletes them`);
    }
  }

  if (!state && existsSync(join(runDir, RUN_STATE_FILE))) {
    throw new BadInputError(
      `${runDir} already holds run ${config.runId}`,
      `finish it with \`cnimatrix run --resume ${runDir}\`, or start a new run with another --run-id`,
    );
  }
  const done = state ? plan.cells.filter((cell) => existsSync(cellJUnitPath(runDir, cell.id))) : [];
  if (state && done.length > 0) note(`resuming ${config.runId}: ${counted(done.length, 'cell')} already done (${done.map((c) => c.id).join(', ')})`);
  const todo = plan.cells.filter((cell) => !done.includes(cell));
  const { parallel, reason } = chooseParallel(config.parallel, Math.max(todo.length, 1), config.workers + 1);
  note(`run ${config.runId}: ${counted(todo.length, 'cell')} to run, ${reason}; reports in ${runDir}`);

  await mkdir(runDir, { recursive: true });
  // An existing cluster's cell is what was detected, which is what --resume must run again.
  const described = mode === 'existing' ? { ...config, cnis: plan.cells.map((c) => c.cni), proxyModes: plan.cells.map((c) => c.proxyMode) } : config;
  if (!state) await writeRunState(runDir, described, startedAt);
  // Known before any phase, so a cell that fails early still reports the right version.
  const kubernetesVersion = existing ? await unlessUnreachable(config, existing, () => clusterKubernetesVersion(existing)) : plan.nodeImage.match(/:(v\d+\.\d+\.\d+)/)?.[1];

  return { plan, kind, kindVersion, todo, parallel, kubernetesVersion };
}

/**
 * A run that ends before any cell still leaves matrix.json, .md and .html saying why, so a
 * nightly job's report page is never missing or green; the error gains the report's path.
 * No junit.xml: there is no cell to report, and the exit code says the rest.
 */
async function reportedEnd(runDir: string, error: CnimatrixError, run: RunInfo, note: (line: string) => void): Promise<CnimatrixError> {
  const ended = { exitCode: error.exitCode, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  try {
    const { matrixMarkdown } = await writeMatrixFiles(runDir, buildMatrix([], { ...run, ended }));
    return new CnimatrixError(error.message, { exitCode: error.exitCode, hint: `${error.hint === undefined ? '' : `${error.hint}; `}the report says the same: ${matrixMarkdown}`, cause: error });
  } catch (writeError) {
    note(`could not write the report of the run's end in ${runDir}: ${writeError instanceof Error ? writeError.message : String(writeError)}`);
    return error;
  }
}

export async function runMatrix(opts: RunOptions): Promise<RunOutcome> {
  const note = opts.note ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = new Date().toISOString();
  const state = opts.resumeDir ? await readRunState(opts.resumeDir) : undefined;
  const config = state ? resumedConfig(opts.config, state) : opts.config;
  const runDir = opts.resumeDir ?? join(config.reportsDir, config.runId);
  const mode = modeOf(config);
  const existing = config.kubeconfig ? createKube({ kubeconfigPath: config.kubeconfig, runId: config.runId }) : undefined;

  // Only a new run may leave a report of ending early: never over an earlier run's.
  const fresh = !state && !existsSync(join(runDir, RUN_STATE_FILE));
  let prepared: Prepared;
  try {
    prepared = await prepare({ config, opts, state, runDir, mode, existing, startedAt, note });
  } catch (error) {
    if (!fresh || !(error instanceof CnimatrixError)) throw error;
    throw await reportedEnd(runDir, error, { id: config.runId, startedAt, finishedAt: new Date().toISOString(), host: hostname(), cnimatrixVersion: cnimatrixVersion() }, note);
  }
  const { plan, kind, kindVersion, todo, parallel, kubernetesVersion } = prepared;

  const contexts: CellContext[] = [];
  const interrupts = handleInterrupts({
    note,
    forceCleanup: async () => {
      await Promise.allSettled(contexts.filter((c) => c.clusterExists && c.mode === 'kind').map((c) => kind.deleteCluster(c.cell.clusterName)));
    },
    ...(opts.exit ? { exit: opts.exit } : {}),
  });
  const progress = (opts.progress ?? createProgress)(todo.map((c) => c.id));
  const host = hostname();
  const kubeconfigDir = join(tmpdir(), `cnimatrix-${config.runId}`);
  const interruptedResults: CellResult[] = [];

  const runOne = async (cell: PlannedCell): Promise<void> => {
    if (interrupts.signal.aborted) return;
    const ctx: CellContext = {
      cell,
      config,
      runDir,
      cacheDir: defaultCacheDir(),
      nodeImage: plan.nodeImage,
      kind,
      mode,
      kubeconfigPath: config.kubeconfig ?? join(kubeconfigDir, `${cell.id}.kubeconfig`),
      artifactsDir: join(runDir, 'artifacts', cell.id),
      signal: interrupts.signal,
      log: (line) => progress.log(cell.id, line),
      status: (line) => progress.status(cell.id, line),
      clusterExists: false,
      alreadyInstalled: false,
      kube: existing,
      kubernetesVersion: kubernetesVersion ?? 'unknown',
      tests: [],
      probedAbsent: {},
      failedPhase: undefined,
    };
    contexts.push(ctx);
    const result = await runCell(ctx, {
      progress,
      meta: {
        id: cell.id,
        cni: cell.cni,
        cniVersion: cell.cniVersion,
        proxyMode: cell.proxyMode,
        capabilities: cell.capabilities,
        kindVersion,
        nodeImage: mode === 'existing' ? 'n/a' : plan.nodeImage,
        clusterName: cell.clusterName,
        host,
      },
    });
    // An interrupted cell keeps no JUnit, so --resume runs it again.
    if (interrupts.signal.aborted && result.error) {
      interruptedResults.push(result);
      return;
    }
    await writeCellJUnit(runDir, result);
    await writeConformanceReport(runDir, result);
  };

  const limit = pLimit(parallel);
  // Cells whose CNI cannot share a host with itself also queue behind one another.
  const exclusive = new Map(todo.filter((c) => c.hostExclusive).map((c) => [c.cni, pLimit(1)]));
  const schedule = (cell: PlannedCell) => {
    const alone = exclusive.get(cell.cni);
    return alone ? alone(() => limit(() => runOne(cell))) : limit(() => runOne(cell));
  };
  try {
    await Promise.all(todo.map(schedule));
  } finally {
    await progress.close();
    interrupts.dispose();
    // Empty once every cell's cluster is gone; kept clusters' kubeconfigs stay.
    await rmdir(kubeconfigDir).catch(() => undefined);
  }

  const results: CellResult[] = [...interruptedResults];
  for (const cell of plan.cells) {
    const file = cellJUnitPath(runDir, cell.id);
    if (existsSync(file)) results.push(readCellJUnit(await readFile(file, 'utf8')));
  }
  const order = new Map(plan.cells.map((c, i) => [c.id, i]));
  results.sort((a, b) => (order.get(a.cell.id) ?? 0) - (order.get(b.cell.id) ?? 0));
  const runInfo: RunInfo = {
    id: config.runId,
    startedAt: state?.startedAt ?? startedAt,
    finishedAt: new Date().toISOString(),
    host,
    cnimatrixVersion: cnimatrixVersion(),
    notRun: plan.unsupported.map((u) => ({ id: u.id, reason: u.reason })),
  };
  const paths = await writeRunReports(runDir, results, runInfo);
  note(`matrix: ${paths.matrixMarkdown} · ${paths.matrixHtml} · ${paths.matrixJson}`);
  const exitCode = exitCodeFor(results, interrupts.interrupted);
  if (interrupts.interrupted) note(`interrupted: cleanup done; finish the run with \`cnimatrix run --resume ${runDir}\``);
  return { exitCode, runDir, results, plan };
}
