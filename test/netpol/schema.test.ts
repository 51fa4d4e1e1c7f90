// Scenario validation: accepted shapes, and errors that name the field path, value and choices.
import { describe, expect, test } from '@jest/globals';
import { parseScenario, parseScenarios } from '../../harness/netpol/index.ts';
import { BadInputError } from '../../harness/model/errors.ts';

const pod = { namespace: 'x', name: 'a', labels: { app: 'a' }, ip: '10.244.1.1', containerPorts: [{ name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' }] };
const base = { namespaces: { x: { ns: 'x' } }, pods: [pod], policies: [] as unknown[], probes: [{ port: 80, protocol: 'TCP' }] };
const withSpec = (spec: unknown) => ({ ...base, policies: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec }] });

function errorOf(input: unknown): string {
  try {
    parseScenarios(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected the input to be rejected');
}

describe('accepted input', () => {
  test('defaults: labels, containerPorts, policies, namespaces and probe protocol', () => {
    const scenario = parseScenario({ pods: [{ namespace: 'x', name: 'a', ip: 'fd00::1' }], probes: [{ port: 53 }] });
    expect(scenario).toEqual({ namespaces: {}, pods: [{ namespace: 'x', name: 'a', labels: {}, ip: 'fd00::1', containerPorts: [] }], policies: [], probes: [{ port: 53, protocol: 'TCP' }] });
  });

  test('a full policy passes unchanged, metadata extras included', () => {
    const spec = {
      podSelector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { namespaceSelector: {}, podSelector: {} }], ports: [{ port: 'serve-80-tcp' }, { protocol: 'SCTP', port: 1000, endPort: 2000 }] }],
      egress: [{}],
    };
    const input = withSpec(spec);
    (input.policies[0] as { metadata: Record<string, unknown> }).metadata['uid'] = 'abc';
    const scenario = parseScenario(input);
    expect(scenario.policies[0]!.spec).toEqual(spec);
    expect(scenario.policies[0]!.metadata['uid']).toBe('abc');
  });

  test('an array is read as several scenarios', () => {
    expect(parseScenarios([base, base])).toMatchObject({ isArray: true, scenarios: [{ pods: [pod] }, { pods: [pod] }] });
    expect(parseScenarios(base).isArray).toBe(false);
  });
});

describe('rejected input', () => {
  test('an unknown operator names the path inside the array, the value and the operators', () => {
    const bad = withSpec({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Inn', values: ['a'] }] } });
    expect(errorOf([base, bad])).toContain('scenarios[1].policies[0].spec.podSelector.matchExpressions[0].operator: "Inn" is not one of In, NotIn, Exists, DoesNotExist');
  });

  test('a misspelt field is an error listing the known fields', () => {
    expect(errorOf(withSpec({ podSelector: {}, ingres: [] }))).toContain('policies[0].spec: unknown field "ingres"; known fields: podSelector, policyTypes, ingress, egress');
    expect(errorOf(withSpec({ podSelector: {}, ingress: [{ from: [{ namespaceSelecter: {} }] }] }))).toContain('policies[0].spec.ingress[0].from[0]: unknown field "namespaceSelecter"');
  });

  test('a missing podSelector is required', () => {
    expect(errorOf(withSpec({ policyTypes: ['Ingress'] }))).toContain('policies[0].spec.podSelector: required (object)');
  });

  test('In and NotIn need values; Exists and DoesNotExist take none', () => {
    expect(errorOf(withSpec({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }))).toContain('matchExpressions[0].values: operator In needs at least one value');
    expect(errorOf(withSpec({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] } }))).toContain('matchExpressions[0].values: operator Exists takes no values');
  });

  test('peers: empty, or ipBlock mixed with selectors', () => {
    expect(errorOf(withSpec({ podSelector: {}, ingress: [{ from: [{}] }] }))).toContain('policies[0].spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock');
    expect(errorOf(withSpec({ podSelector: {}, egress: [{ to: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }))).toContain('policies[0].spec.egress[0].to[0].ipBlock: ipBlock cannot be combined');
  });

  test('ipBlock: malformed cidr, malformed except, except outside the cidr', () => {
    const block = (ipBlock: unknown) => withSpec({ podSelector: {}, ingress: [{ from: [{ ipBlock }] }] });
    expect(errorOf(block({ cidr: '10.0.0.0' }))).toContain('ipBlock.cidr: "10.0.0.0" is not a CIDR');
    expect(errorOf(block({ cidr: '10.0.0.0/33' }))).toContain('is not a CIDR');
    expect(errorOf(block({ cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }))).toContain('ipBlock.except[0]: "11.0.0.0/16" must be a strict subset of cidr 10.0.0.0/8');
    expect(errorOf(block({ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }))).toContain('must be a strict subset');
    expect(errorOf(block({ cidr: 'fd00::/16', except: ['10.0.0.0/16'] }))).toContain('must be a strict subset');
  });

  test('ports: bad protocol, bad name, endPort rules', () => {
    const ports = (entry: unknown) => withSpec({ podSelector: {}, ingress: [{ ports: [entry] }] });
    expect(errorOf(ports({ protocol: 'ICMP', port: 1 }))).toContain('ports[0].protocol: "ICMP" is not one of TCP, UDP, SCTP');
    expect(errorOf(ports({ port: 'Web_Port' }))).toContain('ports[0].port: "Web_Port" is neither a port number 1-65535 nor a container port name');
    expect(errorOf(ports({ port: 0 }))).toContain('ports[0].port: 0 is neither a port number');
    expect(errorOf(ports({ port: 'web', endPort: 90 }))).toContain('ports[0].endPort: endPort needs a numeric port');
    expect(errorOf(ports({ port: 90, endPort: 80 }))).toContain('ports[0].endPort: endPort 80 is below port 90');
  });

  test('pods: bad IPs, duplicates, shared IPs', () => {
    expect(errorOf({ ...base, pods: [{ ...pod, ip: '10.244.1' }] })).toContain('pods[0].ip: "10.244.1" is not an IPv4 or IPv6 address');
    expect(errorOf({ ...base, pods: [pod, pod] })).toContain('pods[1]: pod x/a is also pods[0]');
    expect(errorOf({ ...base, pods: [pod, { ...pod, name: 'b' }] })).toContain('pods[1]: IP 10.244.1.1 of pod x/b is also the IP of pod x/a');
  });

  test('probes: required, ports in range', () => {
    expect(errorOf({ ...base, probes: [] })).toContain('probes: needs at least 1 entry');
    expect(errorOf({ ...base, probes: [{ port: 70000 }] })).toContain('probes[0].port: 70000 is above the maximum 65535');
    expect(errorOf({ pods: [] })).toContain('probes: required (array)');
  });

  test('policies: duplicate names and a wrong kind', () => {
    const p = withSpec({ podSelector: {} }).policies[0];
    expect(errorOf({ ...base, policies: [p, p] })).toContain('policies[1]: policy x/p is also policies[0]');
    expect(errorOf({ ...base, policies: [{ ...(p as object), kind: 'Pod' }] })).toContain('policies[0].kind: "Pod" is not NetworkPolicy');
  });

  test('the whole input must be an object or an array', () => {
    expect(errorOf('hello')).toContain('(top level): expected object, got "hello"');
  });
});
