import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { SUITE_NAMES } from '../../harness/model/cell.ts';
import type { CellResult } from '../../harness/model/results.ts';
import { JUnitReadError, readCellJUnit, readJUnitCells } from '../../harness/report/junit-read.ts';
import { buildCellJUnit, buildCombinedJUnit, writeCellJUnit, writeCombinedJUnit } from '../../harness/report/junit-write.ts';
import { childrenNamed, parseXml } from '../../harness/report/xml.ts';
import type { XmlElement } from '../../harness/report/xml.ts';
import { cell, errored, fail, flaky, mixedCell, NASTY_NAMES, NO_SCTP_EVIDENCE, pass, probedAbsent, unsupported } from './fixtures.ts';

const dirs: string[] = [];

/** JUnit groups tests by suite (in SUITE_NAMES order) and keeps their order within a suite. */
function grouped(result: CellResult): CellResult {
  const order = (suite: string) => (SUITE_NAMES as readonly string[]).indexOf(suite);
  return { ...result, tests: [...result.tests].sort((a, b) => order(a.suite) - order(b.suite)) };
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function suitesOf(root: XmlElement): XmlElement[] {
  return childrenNamed(root, 'testsuite');
}

function properties(element: XmlElement): Map<string, string> {
  const map = new Map<string, string>();
  for (const block of childrenNamed(element, 'properties')) for (const p of childrenNamed(block, 'property')) map.set(p.attributes.name ?? '', p.attributes.value ?? p.text);
  return map;
}

/** Asserts that every group's counts equal what its testcases say. */
function expectConsistentCounts(group: XmlElement): { tests: number; failures: number; errors: number; skipped: number } {
  const cases = group.name === 'testsuite' ? childrenNamed(group, 'testcase') : [];
  const own = {
    tests: cases.length,
    failures: cases.filter((c) => childrenNamed(c, 'failure').length > 0).length,
    errors: cases.filter((c) => childrenNamed(c, 'error').length > 0).length,
    skipped: cases.filter((c) => childrenNamed(c, 'skipped').length > 0).length,
  };
  for (const nested of suitesOf(group)) {
    const sub = expectConsistentCounts(nested);
    own.tests += sub.tests;
    own.failures += sub.failures;
    own.errors += sub.errors;
    own.skipped += sub.skipped;
  }
  expect({
    tests: Number(group.attributes.tests),
    failures: Number(group.attributes.failures),
    errors: Number(group.attributes.errors),
    skipped: Number(group.attributes.skipped),
  }).toEqual(own);
  return own;
}

describe('per-cell JUnit', () => {
  test('one testsuite per suite with consistent counts, times and timestamps', () => {
    const root = parseXml(buildCellJUnit(mixedCell()));
    expect(root.name).toBe('testsuites');
    expect(suitesOf(root).map((s) => s.attributes.name)).toEqual([
      'calico-iptables/pod-network',
      'calico-iptables/network-policy',
      'calico-iptables/dns',
      'calico-iptables/services',
    ]);
    expect(expectConsistentCounts(root)).toEqual({ tests: 7, failures: 1, errors: 1, skipped: 1 });
    for (const suite of suitesOf(root)) {
      expect(suite.attributes.timestamp).toBe('2024-05-01T12:00:05.000Z');
      expect(Number.isFinite(Number(suite.attributes.time))).toBe(true);
      for (const testcase of childrenNamed(suite, 'testcase')) expect(Number.isFinite(Number(testcase.attributes.time))).toBe(true);
    }
    const policy = suitesOf(root)[1] as XmlElement;
    expect(Number(policy.attributes.time)).toBeCloseTo(3.4, 5);
  });

  test('testsuite properties describe the cell and every phase', () => {
    const suite = suitesOf(parseXml(buildCellJUnit(mixedCell())))[0] as XmlElement;
    const props = properties(suite);
    expect(props.get('cni')).toBe('calico');
    expect(props.get('cni.version')).toBe('v3.28.0');
    expect(props.get('proxy.mode')).toBe('iptables');
    expect(props.get('kind.version')).toBe('v0.23.0');
    expect(props.get('kubernetes.version')).toBe('v1.30.0');
    expect(props.get('node.image')).toMatch(/^kindest\/node:v1\.30\.0@sha256:/);
    expect(props.get('run.id')).toBe('run-20240501-1200');
    expect(props.get('host')).toBe('ci-runner-1');
    expect(props.get('capabilities')).toBe('networkPolicy,sctp');
    expect(props.get('phase.create-cluster.ms')).toBe('41000');
    expect(props.get('phase.create-cluster.status')).toBe('ok');
    expect(props.get('phase.run-suites.ms')).toBe('300000');
  });

  test('failure: message attribute is the first line, body the whole diff', () => {
    const policy = suitesOf(parseXml(buildCellJUnit(mixedCell())))[1] as XmlElement;
    const failed = childrenNamed(policy, 'testcase').find((c) => c.attributes.name === 'deny all ingress') as XmlElement;
    const failure = childrenNamed(failed, 'failure')[0] as XmlElement;
    expect(failure.attributes.message).toBe('policy deny-all-ingress: 2 of 6 probes differ');
    expect(failure.text).toContain('client-b → srv:80  timeout    connected  ✗');
    expect(failure.text.split('\n')).toHaveLength(4);
  });

  test('unsupported is <skipped message="unsupported: …">, flaky a passed testcase with a flaky property', () => {
    const root = parseXml(buildCellJUnit(mixedCell()));
    const cases = suitesOf(root).flatMap((s) => childrenNamed(s, 'testcase'));
    const sctp = cases.find((c) => c.attributes.name === 'SCTP') as XmlElement;
    expect(childrenNamed(sctp, 'skipped')[0]?.attributes.message).toBe('unsupported: needs capability sctp');
    const flakyCase = cases.find((c) => c.attributes.name === 'allow from namespace') as XmlElement;
    expect(childrenNamed(flakyCase, 'failure')).toHaveLength(0);
    expect(childrenNamed(flakyCase, 'skipped')).toHaveLength(0);
    expect(properties(flakyCase).get('flaky')).toBe('client-a → srv:80 was timeout, then connected after 2 re-probes');
    const dns = cases.find((c) => c.attributes.name === 'search path') as XmlElement;
    expect(childrenNamed(dns, 'error')[0]?.text).toBe('exec into dnsutils failed: pod not ready');
  });

  test("a check the user switched off keeps its own reason (skipped: …), not unsupported's, and reads back", () => {
    const optedOut = cell('calico', 'iptables', [unsupported('ingress', 'from outside › TLS', 'skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off (no external client container)')]);
    const xml = buildCellJUnit(optedOut);
    const testcase = suitesOf(parseXml(xml)).flatMap((s) => childrenNamed(s, 'testcase'))[0] as XmlElement;
    expect(childrenNamed(testcase, 'skipped')[0]?.attributes.message).toBe('skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off (no external client container)');
    expect(readCellJUnit(xml).tests[0]?.detail).toBe('skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off (no external client container)');
  });

  test('a cell that could not run has one cnimatrix testsuite with an error naming the phase', () => {
    const broken = cell('cilium', 'none', [], {
      phases: [{ phase: 'create-cluster', status: 'failed', startedAt: '2024-05-01T12:00:05.000Z', durationMs: 90000, error: 'kind exited 1' }],
      error: { phase: 'create-cluster', message: 'kind create cluster failed: exit 1\nERROR: failed to create cluster', hint: 'check docker has room' },
    });
    const root = parseXml(buildCellJUnit(broken));
    const suites = suitesOf(root);
    expect(suites.map((s) => s.attributes.name)).toEqual(['cilium-none/cnimatrix']);
    expect(expectConsistentCounts(root)).toEqual({ tests: 1, failures: 0, errors: 1, skipped: 0 });
    const testcase = childrenNamed(suites[0] as XmlElement, 'testcase')[0] as XmlElement;
    expect(testcase.attributes.name).toContain('create-cluster');
    const error = childrenNamed(testcase, 'error')[0] as XmlElement;
    expect(error.attributes.message).toBe('kind create cluster failed: exit 1');
    expect(error.text).toContain('hint: check docker has room');
    expect(properties(suites[0] as XmlElement).get('phase.create-cluster.status')).toBe('failed');
  });

  test('nasty names and texts stay well-formed and round-trip', () => {
    const tests = NASTY_NAMES.flatMap((name, i) => [
      fail('dns', `fail ${name}`, `${name}\n  expected: "x" got <y> & ]]> twice ]]> done`),
      pass('services', name, i),
      unsupported('ingress', `skip ${name}`, `needs ${name}`),
      flaky('pod-network', `flaky ${name}`, `flip ${name}`),
    ]);
    const original = cell('weave', 'ipvs', tests);
    const xml = buildCellJUnit(original);
    // Outside CDATA sections, no "<" may appear except as markup.
    const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
    expect(outsideCdata).not.toMatch(/<script|<!--|<y>/);
    const root = parseXml(xml);
    expect(expectConsistentCounts(root).tests).toBe(tests.length);
    expect(readCellJUnit(xml)).toEqual(grouped(original));
  });
});

describe('reading JUnit back', () => {
  test('a written cell reads back to the same CellResult', () => {
    const original = mixedCell('flannel', 'nftables');
    expect(readCellJUnit(buildCellJUnit(original))).toEqual(grouped(original));
  });

  test('a cell error with its hint reads back', () => {
    const broken = cell('calico', 'ipvs', [pass('dns', 'A record')], {
      error: { phase: 'collect', message: 'kubectl logs failed', hint: 'rerun with --keep' },
    });
    expect(readCellJUnit(buildCellJUnit(broken))).toEqual(broken);
  });

  test('a cell with no tests and no error keeps its metadata', () => {
    const empty = cell('kindnet', 'iptables', []);
    expect(readCellJUnit(buildCellJUnit(empty))).toEqual(empty);
  });

  test('the combined file holds every cell and reads back to all of them', () => {
    const cells: CellResult[] = [mixedCell('calico', 'iptables'), mixedCell('cilium', 'none'), cell('weave', 'iptables', [], { error: { phase: 'install-cni', message: 'apply failed' } })];
    const xml = buildCombinedJUnit(cells);
    const root = parseXml(xml);
    expect(expectConsistentCounts(root).tests).toBe(15);
    expect(readJUnitCells(xml)).toEqual(cells.map(grouped));
    expect(() => readCellJUnit(xml)).toThrow(/holds 3 cells/);
  });

  test('written files are the files read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cnimatrix-junit-'));
    dirs.push(dir);
    const result = mixedCell();
    const path = await writeCellJUnit(dir, result);
    expect(path).toBe(join(dir, 'junit', 'calico-iptables.xml'));
    expect(readCellJUnit(await readFile(path, 'utf8'))).toEqual(grouped(result));
    const combined = await writeCombinedJUnit(dir, [result]);
    expect(combined).toBe(join(dir, 'junit.xml'));
    expect(readJUnitCells(await readFile(combined, 'utf8'))).toEqual([grouped(result)]);
  });

  test('capabilities probed absent: the declared list stays, each absent one is a property with its evidence, and reads back', () => {
    const noSctp = probedAbsent(cell('calico', 'iptables', [pass('dns', 'A record'), unsupported('pod-network', 'same node › SCTP', `needs sctp: ${NO_SCTP_EVIDENCE}`)]), {
      sctp: NO_SCTP_EVIDENCE,
      networkPolicy: 'not enforced: <b>"quoted"</b> & more',
    });
    const xml = buildCellJUnit(noSctp);
    for (const suite of suitesOf(parseXml(xml))) {
      const props = properties(suite);
      expect(props.get('capabilities')).toBe('networkPolicy,sctp');
      expect(props.get('capability.sctp.probedAbsent')).toBe(NO_SCTP_EVIDENCE);
      expect(props.get('capability.networkPolicy.probedAbsent')).toBe('not enforced: <b>"quoted"</b> & more');
    }
    expect(readCellJUnit(xml)).toEqual(grouped(noSctp));
    // A cell whose probe found nothing missing writes no such property and reads back without the field.
    expect(buildCellJUnit(mixedCell())).not.toContain('probedAbsent');
    expect(readCellJUnit(buildCellJUnit(mixedCell())).cell).not.toHaveProperty('probedAbsent');
  });

  test('a probed-absent property for an unknown or undeclared capability is refused', () => {
    const xml = buildCellJUnit(probedAbsent(cell('calico', 'iptables', [pass('dns', 'A record')]), { sctp: NO_SCTP_EVIDENCE }));
    expect(() => readCellJUnit(xml.replaceAll('capability.sctp.probedAbsent', 'capability.sctpp.probedAbsent'))).toThrow(
      /cell "calico-iptables": property capability\.sctpp\.probedAbsent names capability "sctpp", which is not one of networkPolicy, /,
    );
    expect(() => readCellJUnit(xml.replaceAll('capability.sctp.probedAbsent', 'capability.ipv6.probedAbsent'))).toThrow(
      /property capability\.ipv6\.probedAbsent says a capability was probed absent that the cell does not declare \(capabilities is "networkPolicy,sctp"\)/,
    );
  });

  test('JUnit from another tool (jest-junit style) is read tolerantly', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by jest-junit -->
<testsuites name="jest tests" tests="4" failures="1" errors="0" time="3.2">
  <testsuite name="suites/network-policy.suite.ts" errors="0" failures="1" skipped="1" timestamp="2024-05-01T10:00:00" time="3.2" tests="4" hostname="builder">
    <testcase classname="network-policy deny" name="deny all ingress" time="1.5">
      <failure message="Error: expected timeout">Error: expected timeout
    at Object.&lt;anonymous&gt; (suites/network-policy.suite.ts:10:5)</failure>
    </testcase>
    <testcase classname="network-policy" name="egress" time="0.25"><skipped/></testcase>
    <testcase classname="network-policy" name="allow" time="1,000.5"/>
    <testcase classname="network-policy" name='single &apos;quoted&apos;' time="0.001"></testcase>
  </testsuite>
</testsuites>`;
    const result = readCellJUnit(xml, { fallbackCellId: 'calico-ipvs' });
    expect(result.cell).toMatchObject({ id: 'calico-ipvs', cni: 'calico', proxyMode: 'ipvs', host: 'builder', cniVersion: 'unknown' });
    expect(result.tests).toEqual([
      { suite: 'network-policy', name: 'deny all ingress', status: 'fail', durationMs: 1500, message: 'Error: expected timeout\n    at Object.<anonymous> (suites/network-policy.suite.ts:10:5)' },
      { suite: 'network-policy', name: 'egress', status: 'unsupported', durationMs: 250 },
      { suite: 'network-policy', name: 'allow', status: 'pass', durationMs: 1000500 },
      { suite: 'network-policy', name: "single 'quoted'", status: 'pass', durationMs: 1 },
    ]);
  });

  test('JUnit that cannot be tied to a cell or suite is refused with what to add', () => {
    const foreign = '<testsuite name="misc"><testcase name="x"/></testsuite>';
    expect(() => readCellJUnit(foreign)).toThrow(/names no cell: add property cnimatrix\.cell/);
    expect(() => readCellJUnit(foreign, { fallbackCellId: 'calico-ipvs' })).toThrow(/"misc" is not a cnimatrix suite/);
    expect(() => readCellJUnit('<testsuite name="dns"><testcase name="x"/></testsuite>', { fallbackCellId: 'junos-iptables' })).toThrow(
      /CNI "junos" is not one of kindnet, calico, flannel, cilium, weave/,
    );
  });

  test('malformed XML is a JUnitReadError with line and column', () => {
    const bad = '<testsuites>\n  <testsuite name="a">\n  </testsuites>';
    expect(() => readCellJUnit(bad)).toThrow(JUnitReadError);
    expect(() => readCellJUnit(bad)).toThrow(/expected <\/testsuite> but found <\/testsuites> at line 3/);
    expect(() => readCellJUnit('<html><body/></html>')).toThrow(/root element is <html>/);
  });
});

test('each testsuite is stamped with its own start, and reads back', () => {
  const stamped = cell('calico', 'iptables', [
    { ...pass('pod-network', 'same node › TCP'), suiteStartedAt: '2024-05-01T12:01:00.000Z' },
    { ...pass('dns', 'search path'), suiteStartedAt: '2024-05-01T12:04:00.000Z' },
  ]);
  const xml = buildCellJUnit(stamped);
  expect(suitesOf(parseXml(xml)).map((s) => s.attributes.timestamp)).toEqual(['2024-05-01T12:01:00.000Z', '2024-05-01T12:04:00.000Z']);
  expect(readCellJUnit(xml).tests.map((t) => t.suiteStartedAt)).toEqual(['2024-05-01T12:01:00.000Z', '2024-05-01T12:04:00.000Z']);
});
