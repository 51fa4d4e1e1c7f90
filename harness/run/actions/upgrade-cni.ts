// An upgrade cell's upgrade: with the disruption monitor running between pods on two nodes, the
// next version's install steps are applied over the running CNI (as upstream documents its
// upgrade: the new manifests applied in place) and waited for until rolled out on every node;
// the monitor's record becomes the cell's upgrade checks (harness/upgrade/disruption.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { agentPods, replacement } from '../../upgrade/agent-pods.ts';
import { judgeUpgrade } from '../../upgrade/disruption.ts';
import { startMonitor } from '../../upgrade/monitor.ts';
import { deployMonitorPods, removeMonitorPods } from '../../upgrade/monitor-workload.ts';
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { cellStepOptions, executeInstallSteps } from '../install-steps.ts';

/** Monitored before the upgrade starts: every path must answer here for the upgrade's figures to mean anything. */
const BASELINE_MS = 5_000;
/** Monitored after the rollout ended: an agent that is Ready but still reprogramming shows here. */
const SETTLE_MS = 10_000;

export const upgradeCni: Action = {
  phase: 'upgrade-cni',
  skip: (ctx) => (ctx.cell.upgrade === undefined ? 'not an upgrade cell' : undefined),
  async run(ctx) {
    const upgrade = ctx.cell.upgrade;
    if (upgrade === undefined) return;
    const kube = requireKube(ctx);
    const nodes = (await kube.list('v1', 'Node')).filter((n) => (n['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable !== true);
    const workersFirst = [...nodes].sort((x, y) => Number('node-role.kubernetes.io/control-plane' in (x.metadata.labels ?? {})) - Number('node-role.kubernetes.io/control-plane' in (y.metadata.labels ?? {})));
    const a = workersFirst[0]?.metadata.name;
    if (a === undefined) throw new Error('no schedulable node for the disruption monitor');
    const b = workersFirst[1]?.metadata.name ?? a;
    if (b === a) ctx.log('only 1 schedulable node: the monitor\'s cross-node paths stay on that node');
    const enforcesPolicy = ctx.cell.capabilities.includes('networkPolicy') && ctx.probedAbsent.networkPolicy === undefined;

    const setupStarted = Date.now();
    ctx.status('starting the disruption monitor');
    const pods = await deployMonitorPods(kube, { nodes: { a, b }, isolated: enforcesPolicy }, ctx.signal);
    const monitorMaxSeconds = (BASELINE_MS + ctx.config.timeouts.upgrade + SETTLE_MS) / 1000 + 60;
    try {
      const monitor = await startMonitor(kube, pods, monitorMaxSeconds);
      const setupMs = Date.now() - setupStarted;
      ctx.log(`disruption monitor running on ${a} and ${b} (ready in ${(setupMs / 1000).toFixed(1)}s); baseline ${BASELINE_MS / 1000}s`);
      await sleep(BASELINE_MS, undefined, { signal: ctx.signal });
      const agentsBefore = await agentPods(kube, upgrade.readiness);
      const upgradeStartedAt = Date.now();
      ctx.status(`upgrading ${ctx.cell.cni} ${upgrade.from} → ${upgrade.to}`);
      let rolledOutAt: number;
      let agents: ReturnType<typeof replacement>;
      try {
        await executeInstallSteps(kube, upgrade.installSteps, cellStepOptions(ctx));
        for (const step of upgrade.readiness) {
          ctx.status(`upgrade: waiting: ${step.description}`);
          await kube.waitFor(step.condition, ctx.config.timeouts.upgrade, ctx.signal);
          ctx.log(`${upgrade.to}: ${step.description}`);
        }
        rolledOutAt = Date.now();
        agents = replacement(agentsBefore, await agentPods(kube, upgrade.readiness));
      } catch (error) {
        await monitor.stop().catch(() => undefined);
        throw error;
      }
      ctx.log(`${ctx.cell.cni} ${upgrade.to} rolled out in ${((rolledOutAt - upgradeStartedAt) / 1000).toFixed(1)}s; monitoring ${SETTLE_MS / 1000}s more`);
      await sleep(SETTLE_MS, undefined, { signal: ctx.signal });
      const stoppedAt = Date.now();
      const records = await monitor.stop();
      const checks = judgeUpgrade({
        records,
        window: { upgradeStartedAt, rolledOutAt, stoppedAt, from: upgrade.from, to: upgrade.to },
        maxGapMs: ctx.config.upgradeMaxGapMs,
        ...(enforcesPolicy ? {} : { leaksUnsupported: `${ctx.cell.cni} enforces no NetworkPolicy in this cell, so there is no isolation to leak` }),
        overhead: { monitorSetupMs: String(setupMs), monitorEvents: String(records.reduce((n, r) => n + r.events.length, 0)) },
        agents,
      });
      ctx.tests = [...ctx.tests, ...checks];
      const failed = checks.filter((t) => t.status === 'fail' || t.status === 'error');
      ctx.log(`upgrade checks: ${checks.length - failed.length} of ${checks.length} passed or unsupported${failed.length > 0 ? `; failed: ${failed.map((t) => t.name).join('; ')}` : ''}`);
    } finally {
      await removeMonitorPods(kube, !ctx.signal.aborted);
    }
  },
};
