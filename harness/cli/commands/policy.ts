// `cnimatrix policy eval|explain`: what the NetworkPolicy engine expects for a scenario file,
// as truth tables (JSON or grids) or as the reasons behind one connection.
import { Command, InvalidArgumentError, Option } from 'commander';
import { BadInputError, ExitCode } from '../../model/errors.ts';
import {
  L4_PROTOCOLS,
  compilePolicies,
  evaluate,
  probeKey,
  renderTruthTable,
  type Endpoint,
  type L4Protocol,
  type Scenario,
  type SideVerdict,
} from '../../netpol/index.ts';
import { processIO, type CommandIO } from '../../report/command-io.ts';
import { QuietExit } from '../quiet-exit.ts';
import { readPolicyScenarios, type StdinReader } from '../policy-input.ts';

export type { StdinReader };

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function policyCommand(io: CommandIO = processIO, readStdin: StdinReader = readProcessStdin): Command {
  const policy = new Command('policy').description('evaluate NetworkPolicies offline with the engine the network-policy suite uses for its expectations');

  policy
    .command('eval')
    .description(
      'print the truth table of every pod pair for each probe: of a scenario file (one scenario or an array), or of ' +
        'Kubernetes YAML (NetworkPolicy, Pod, Namespace objects, multi-document, in one or more files)',
    )
    .argument('<files...>', 'scenario file (JSON, or YAML when named *.yaml/*.yml), or Kubernetes YAML files merged into one scenario; "-" reads YAML from standard input')
    .option('--table', 'print grids (rows: source, columns: destination) instead of JSON')
    .action(async (files: string[], options: { table?: boolean }) => {
      const { scenarios, isArray } = await readPolicyScenarios(files, readStdin);
      if (options.table) {
        io.stdout(`${scenarios.map((scenario, i) => renderScenarioTables(scenario, isArray ? `scenario ${i}: ` : '')).join('\n\n')}\n`);
        return;
      }
      const tables = scenarios.map((scenario) => evaluate(scenario, scenario.policies, scenario.probes));
      io.stdout(`${JSON.stringify(isArray ? tables : tables[0], null, 2)}\n`);
    });

  policy
    .command('explain')
    .description('say whether one connection is allowed, and which policy and rule decided each side (exit 0 allowed, 1 denied)')
    .argument('<files...>', 'scenario or Kubernetes YAML files (as for eval); "-" reads standard input')
    .requiredOption('--from <endpoint>', 'source: a pod "namespace/name" or an IP')
    .requiredOption('--to <endpoint>', 'destination: a pod "namespace/name" or an IP')
    .requiredOption('--port <port>', 'destination port (1-65535)')
    .addOption(new Option('--protocol <protocol>', `L4 protocol: ${L4_PROTOCOLS.join(', ')} (any case)`).argParser(parseProtocol).default('TCP'))
    .option('--scenario <index>', 'which scenario of an array file (0-based)')
    .action(async (files: string[], options: { from: string; to: string; port: string; protocol: L4Protocol; scenario?: string }) => {
      const probe = { port: parsePort(options.port), protocol: options.protocol };
      const { scenarios, isArray } = await readPolicyScenarios(files, readStdin, [probe]);
      const scenario = pickScenario(scenarios, isArray, options.scenario);
      const engine = compilePolicies(scenario, scenario.policies);
      const explanation = engine.explain(parseEndpoint(options.from), parseEndpoint(options.to), probe);
      const lines = [explanation.text];
      for (const [side, verdict] of [['egress', explanation.egress], ['ingress', explanation.ingress]] as const) {
        lines.push(`${side}: ${sideSummary(side, verdict)}`);
      }
      io.stdout(`${lines.join('\n')}\n`);
      // Scripts can branch on the verdict; the explanation is already printed.
      if (!explanation.allowed) throw new QuietExit(ExitCode.testFailures);
    });

  return policy;
}

function parseProtocol(text: string): L4Protocol {
  const protocol = text.toUpperCase() as L4Protocol;
  if (!L4_PROTOCOLS.includes(protocol)) throw new InvalidArgumentError(`Allowed choices are ${L4_PROTOCOLS.join(', ')}.`);
  return protocol;
}

function sideSummary(side: 'egress' | 'ingress', verdict: SideVerdict): string {
  if (verdict.exemption) return verdict.exemption;
  if (!verdict.isolated) return 'not isolated';
  const isolatedBy = `isolated by ${verdict.isolatingPolicies.join(', ')}`;
  if (!verdict.allowedBy) return `${isolatedBy}; no rule admits it`;
  return `${isolatedBy}; admitted by ${verdict.allowedBy.policy} spec.${side}[${verdict.allowedBy.rule}]`;
}

function renderScenarioTables(scenario: Scenario, prefix: string): string {
  const tables = evaluate(scenario, scenario.policies, scenario.probes);
  return scenario.probes.map((probe) => renderTruthTable(tables[probeKey(probe)]!, `${prefix}${probeKey(probe)}`)).join('\n\n');
}

function pickScenario(scenarios: Scenario[], isArray: boolean, index: string | undefined): Scenario {
  if (!isArray) {
    if (index !== undefined && index !== '0') throw new BadInputError(`--scenario ${index}: the file holds a single scenario`, 'drop --scenario');
    return scenarios[0]!;
  }
  if (index === undefined) {
    if (scenarios.length === 1) return scenarios[0]!;
    throw new BadInputError(`the file holds ${scenarios.length} scenarios; say which with --scenario`, `--scenario 0 to --scenario ${scenarios.length - 1}`);
  }
  const position = /^\d+$/.test(index) ? Number(index) : -1;
  const scenario = scenarios[position];
  if (!scenario) throw new BadInputError(`--scenario ${index} is not an index of the file's ${scenarios.length} scenarios`, `use 0 to ${scenarios.length - 1}`);
  return scenario;
}

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new BadInputError(`--port ${text} is not a port number`, 'use a number from 1 to 65535');
  return port;
}

/** "ns/name" is a pod; anything else must be an IP (checked by the engine). */
function parseEndpoint(text: string): Endpoint {
  return text.includes('/') ? { pod: text } : { ip: text };
}
