// NetworkPolicy conformance: the x/y/z × a/b/c model, a catalogue of scenarios (data), expected
// truth tables from the policy engine and observed ones from batched probes.
import { afterAll, beforeAll } from '@jest/globals';
import { check, conformanceSuite, group, liveKube } from './lib/conformance.ts';
import { modelProbes } from './network-policy/model.ts';
import { checkBaseline, runScenario, scenarioTimeoutMs, setupModel, teardownModel, type LiveModel } from './network-policy/runner.ts';
import { scenarios } from './network-policy/scenarios.ts';

const SETUP_TIMEOUT_MS = 300_000;
let model: LiveModel | undefined;

function liveModel(): LiveModel {
  if (!model) throw new Error('the policy model was not created (see the beforeAll error above)');
  return model;
}

conformanceSuite('network-policy', () => {
  beforeAll(async () => {
    model = await setupModel(liveKube());
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownModel(liveKube());
  }, SETUP_TIMEOUT_MS);

  // Every served port, so a port a scenario expects open is known to be served before any policy.
  check('baseline: without policies every model pod reaches every other', { needs: ['networkPolicy'], timeoutMs: 120_000 }, (ctx) =>
    checkBaseline(liveModel(), modelProbes(), ctx),
  );

  group('scenarios', () => {
    for (const scenario of scenarios) {
      check(scenario.name, { needs: scenario.needs, timeoutMs: scenarioTimeoutMs(scenario) }, (ctx) => runScenario(liveModel(), scenario, ctx));
    }
  });
});
