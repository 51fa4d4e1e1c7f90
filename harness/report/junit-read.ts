// Reads JUnit XML back into CellResults: cnimatrix's own files losslessly (docs/junit.md), and
// JUnit from other tools (jest-junit, pytest, ...) tolerantly, mapping failure/error/skipped.
import { CAPABILITIES, CNI_NAMES, PROXY_MODES, SUITE_NAMES } from '../model/cell.ts';
import type { Capability, CniName, ProxyMode, SuiteName } from '../model/cell.ts';
import { PHASES } from '../model/results.ts';
import type { CellMeta, CellResult, PhaseName, PhaseTiming, TestResult } from '../model/results.ts';
import { CELL_SUITE, CaseProperty, CellProperty, FIGURE_PROPERTY_PREFIX, hintSuffix, PHASE_PROPERTY, PROBED_ABSENT_PROPERTY, UNSUPPORTED_PREFIX } from './junit-format.ts';
import { childrenNamed, parseXml, XmlSyntaxError } from './xml.ts';
import type { XmlElement } from './xml.ts';

/** The JUnit text is not XML, or does not say enough to build a cell result. */
export class JUnitReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JUnitReadError';
  }
}

export interface ReadJUnitOptions {
  /**
   * Cell id for testsuites without cnimatrix properties (JUnit from other tools), typically the
   * file name "<cni>-<proxyMode>". The CNI and proxy mode are read from it.
   */
  fallbackCellId?: string;
}

/** Reads the JUnit of exactly one cell (reports/<run-id>/junit/<cell>.xml). */
export function readCellJUnit(xmlText: string, options: ReadJUnitOptions = {}): CellResult {
  const cells = readJUnitCells(xmlText, options);
  const [only] = cells;
  if (only === undefined) throw new JUnitReadError('no testsuite found');
  if (cells.length > 1) {
    throw new JUnitReadError(`holds ${cells.length} cells (${cells.map((c) => c.cell.id).join(', ')}); expected one cell per file`);
  }
  return only;
}

/** Reads every cell in a JUnit document (a per-cell file or a combined junit.xml). */
export function readJUnitCells(xmlText: string, options: ReadJUnitOptions = {}): CellResult[] {
  let root: XmlElement;
  try {
    root = parseXml(xmlText);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new JUnitReadError(`not well-formed XML: ${error.message}`);
    throw error;
  }
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new JUnitReadError(`root element is <${root.name}>; expected <testsuites> or <testsuite>`);
  }
  const cells = new Map<string, CellAccumulator>();
  for (const { element, properties } of flattenSuites(root, new Map())) {
    const cellId = properties.get(CellProperty.cellId) ?? options.fallbackCellId;
    if (cellId === undefined) {
      throw new JUnitReadError(`testsuite "${element.attributes.name ?? ''}" names no cell: add property ${CellProperty.cellId}, or name the file <cni>-<proxyMode>.xml`);
    }
    let cell = cells.get(cellId);
    if (cell === undefined) {
      cell = { meta: cellMeta(cellId, element, properties), runId: properties.get(CellProperty.runId) ?? '', ...cellTimes(element, properties), phases: phases(properties), tests: [] };
      cells.set(cellId, cell);
    }
    const suite = properties.get(CellProperty.suite) ?? inferSuite(element);
    if (suite === CELL_SUITE) {
      for (const testcase of childrenNamed(element, 'testcase')) cell.error ??= cellError(testcase);
    } else {
      // A suite stamped apart from its cell started on its own; its tests keep when.
      const stamp = element.attributes.timestamp;
      const suiteStartedAt = stamp !== undefined && stamp !== cell.startedAt ? { suiteStartedAt: stamp } : {};
      for (const testcase of childrenNamed(element, 'testcase')) cell.tests.push({ ...testResult(suite, testcase), ...suiteStartedAt });
    }
  }
  return [...cells.values()].map((c) => ({
    runId: c.runId,
    cell: c.meta,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    phases: c.phases,
    tests: c.tests,
    ...(c.error === undefined ? {} : { error: c.error }),
  }));
}

interface CellAccumulator {
  meta: CellMeta;
  runId: string;
  startedAt: string;
  finishedAt: string;
  phases: PhaseTiming[];
  tests: TestResult[];
  error?: CellResult['error'];
}

/** Testsuites that hold testcases, each with its own properties over those of enclosing suites. */
function flattenSuites(element: XmlElement, inherited: Map<string, string>): { element: XmlElement; properties: Map<string, string> }[] {
  const properties = new Map([...inherited, ...readProperties(element)]);
  const nested = childrenNamed(element, 'testsuite').flatMap((child) => flattenSuites(child, properties));
  return element.name === 'testsuite' ? [{ element, properties }, ...nested] : nested;
}

function readProperties(element: XmlElement): Map<string, string> {
  const properties = new Map<string, string>();
  for (const block of childrenNamed(element, 'properties')) {
    for (const property of childrenNamed(block, 'property')) {
      const name = property.attributes.name;
      if (name !== undefined) properties.set(name, property.attributes.value ?? property.text);
    }
  }
  return properties;
}

function cellMeta(cellId: string, element: XmlElement, properties: Map<string, string>): CellMeta {
  const [idCni, ...rest] = cellId.split('-');
  const idProxy = rest.join('-');
  const cni = properties.get(CellProperty.cni) ?? idCni ?? '';
  const proxyMode = properties.get(CellProperty.proxyMode) ?? idProxy;
  if (!(CNI_NAMES as readonly string[]).includes(cni)) {
    throw new JUnitReadError(`cell "${cellId}": CNI "${cni}" is not one of ${CNI_NAMES.join(', ')} (set property ${CellProperty.cni})`);
  }
  if (!(PROXY_MODES as readonly string[]).includes(proxyMode)) {
    throw new JUnitReadError(`cell "${cellId}": proxy mode "${proxyMode}" is not one of ${PROXY_MODES.join(', ')} (set property ${CellProperty.proxyMode})`);
  }
  const capabilities = (properties.get(CellProperty.capabilities) ?? '').split(',').filter((c) => c !== '');
  for (const capability of capabilities) {
    if (!(CAPABILITIES as readonly string[]).includes(capability)) {
      throw new JUnitReadError(`cell "${cellId}": capability "${capability}" is not one of ${CAPABILITIES.join(', ')}`);
    }
  }
  const probedAbsent = probedAbsentCapabilities(cellId, properties, capabilities as Capability[]);
  const unknown = 'unknown';
  return {
    id: cellId,
    cni: cni as CniName,
    cniVersion: properties.get(CellProperty.cniVersion) ?? unknown,
    proxyMode: proxyMode as ProxyMode,
    capabilities: capabilities as Capability[],
    kindVersion: properties.get(CellProperty.kindVersion) ?? unknown,
    kubernetesVersion: properties.get(CellProperty.kubernetesVersion) ?? unknown,
    nodeImage: properties.get(CellProperty.nodeImage) ?? unknown,
    clusterName: properties.get(CellProperty.clusterName) ?? unknown,
    host: properties.get(CellProperty.host) ?? element.attributes.hostname ?? unknown,
    ...(probedAbsent === undefined ? {} : { probedAbsent }),
  };
}

/** The capability.<name>.probedAbsent properties; each must name a capability the cell declares. */
function probedAbsentCapabilities(cellId: string, properties: Map<string, string>, declared: Capability[]): CellMeta['probedAbsent'] {
  const absent: Partial<Record<Capability, string>> = {};
  for (const [name, evidence] of properties) {
    const capability = PROBED_ABSENT_PROPERTY.exec(name)?.[1];
    if (capability === undefined) continue;
    if (!(CAPABILITIES as readonly string[]).includes(capability)) {
      throw new JUnitReadError(`cell "${cellId}": property ${name} names capability "${capability}", which is not one of ${CAPABILITIES.join(', ')}`);
    }
    if (!declared.includes(capability as Capability)) {
      throw new JUnitReadError(
        `cell "${cellId}": property ${name} says a capability was probed absent that the cell does not declare (${CellProperty.capabilities} is "${declared.join(',')}")`,
      );
    }
    absent[capability as Capability] = evidence;
  }
  return Object.keys(absent).length > 0 ? absent : undefined;
}

function cellTimes(element: XmlElement, properties: Map<string, string>): { startedAt: string; finishedAt: string } {
  const startedAt = properties.get(CellProperty.startedAt) ?? element.attributes.timestamp ?? '';
  const finishedAt = properties.get(CellProperty.finishedAt) ?? startedAt;
  return { startedAt, finishedAt };
}

function phases(properties: Map<string, string>): PhaseTiming[] {
  const byPhase = new Map<string, Map<string, string>>();
  for (const [name, value] of properties) {
    const match = PHASE_PROPERTY.exec(name);
    if (match === null) continue;
    const [, phase = '', field = ''] = match;
    if (!byPhase.has(phase)) byPhase.set(phase, new Map());
    byPhase.get(phase)?.set(field, value);
  }
  const timings: PhaseTiming[] = [];
  for (const phase of PHASES) {
    const fields = byPhase.get(phase);
    if (fields === undefined) continue;
    const status = fields.get('status');
    if (status !== 'ok' && status !== 'failed' && status !== 'skipped') {
      throw new JUnitReadError(`property phase.${phase}.status is "${status ?? ''}"; expected ok, failed or skipped`);
    }
    const error = fields.get('error');
    timings.push({
      phase,
      status,
      startedAt: fields.get('startedAt') ?? '',
      durationMs: Number(fields.get('ms') ?? 0) || 0,
      ...(error === undefined ? {} : { error }),
    });
  }
  return timings;
}

/** Other tools name suites after files or describe blocks; find a cnimatrix suite name in them. */
function inferSuite(element: XmlElement): SuiteName {
  const label = `${element.attributes.name ?? ''} ${element.attributes.file ?? ''}`;
  const found = SUITE_NAMES.find((suite) => new RegExp(`(^|[^a-z-])${suite}([^a-z-]|$)`).test(label));
  if (found === undefined) {
    throw new JUnitReadError(`testsuite "${element.attributes.name ?? ''}" is not a cnimatrix suite: its name must contain one of ${SUITE_NAMES.join(', ')} (or set property ${CellProperty.suite})`);
  }
  return found;
}

function testResult(suite: string, testcase: XmlElement): TestResult {
  const name = testcase.attributes.name;
  if (name === undefined) throw new JUnitReadError(`a testcase in suite "${suite}" has no name attribute`);
  const figures = Object.fromEntries(
    [...readProperties(testcase)].filter(([key]) => key.startsWith(FIGURE_PROPERTY_PREFIX)).map(([key, value]) => [key.slice(FIGURE_PROPERTY_PREFIX.length), value]),
  );
  const base = {
    suite: suite as TestResult['suite'],
    name,
    durationMs: durationMs(testcase.attributes.time),
    ...(Object.keys(figures).length === 0 ? {} : { figures }),
  };
  const [error] = childrenNamed(testcase, 'error');
  if (error !== undefined) return withMessage({ ...base, status: 'error' }, error);
  const [failure] = childrenNamed(testcase, 'failure');
  if (failure !== undefined) return withMessage({ ...base, status: 'fail' }, failure);
  const [skipped] = childrenNamed(testcase, 'skipped');
  if (skipped !== undefined) {
    const reason = (skipped.attributes.message ?? '').trim();
    const detail = reason.startsWith(`${UNSUPPORTED_PREFIX}: `) ? reason.slice(UNSUPPORTED_PREFIX.length + 2) : reason === UNSUPPORTED_PREFIX ? '' : reason;
    return { ...base, status: 'unsupported', ...(detail === '' ? {} : { detail }) };
  }
  const flaky = readProperties(testcase).get(CaseProperty.flaky);
  if (flaky !== undefined) return { ...base, status: 'flaky', ...(flaky === '' ? {} : { detail: flaky }) };
  return { ...base, status: 'pass' };
}

/** The full text is the element body; tools that only set the message attribute are read too. */
function withMessage(result: TestResult, element: XmlElement): TestResult {
  const message = bodyOrMessage(element);
  return message === undefined ? result : { ...result, message };
}

function bodyOrMessage(element: XmlElement): string | undefined {
  if (element.text.trim() !== '') return element.text;
  return element.attributes.message;
}

function cellError(testcase: XmlElement): CellResult['error'] {
  const [error] = childrenNamed(testcase, 'error');
  if (error === undefined) return undefined;
  const properties = readProperties(testcase);
  const phase = properties.get(CaseProperty.phase) ?? '';
  if (!(PHASES as readonly string[]).includes(phase)) {
    throw new JUnitReadError(`the ${CELL_SUITE} error testcase names phase "${phase}"; expected one of ${PHASES.join(', ')}`);
  }
  const hint = properties.get(CaseProperty.hint);
  let message = bodyOrMessage(error) ?? '';
  if (hint !== undefined && message.endsWith(hintSuffix(hint))) message = message.slice(0, -hintSuffix(hint).length);
  return { phase: phase as PhaseName, message, ...(hint === undefined ? {} : { hint }) };
}

function durationMs(time: string | undefined): number {
  const seconds = Number((time ?? '0').replace(/,/g, ''));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : 0;
}
