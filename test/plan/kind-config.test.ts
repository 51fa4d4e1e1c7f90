import { describe, expect, test } from '@jest/globals';
import { buildKindConfig, parseCidr, validateKindConfig } from '../../harness/plan/index.ts';

const valid = () =>
  buildKindConfig({
    name: 'cnimatrix-r1-kindnet-iptables',
    nodeImage: 'kindest/node:v1.37.0',
    workers: 1,
    disableDefaultCNI: false,
    podSubnet: '10.244.0.0/16',
    kubeProxyMode: 'iptables',
    controlPlaneLabels: { 'ingress-ready': 'true' },
    extraMounts: [],
  }) as unknown as Record<string, any>;

describe('validateKindConfig', () => {
  test('accepts a generated config', () => {
    expect(validateKindConfig(valid())).toEqual([]);
  });

  test.each<[string, (c: Record<string, any>) => void, RegExp]>([
    ['unknown top-level field', (c) => { c['network'] = {}; }, /config: unknown field "network"/],
    ['wrong apiVersion', (c) => { c['apiVersion'] = 'kind.x-k8s.io/v1alpha3'; }, /apiVersion: must be "kind.x-k8s.io\/v1alpha4"/],
    ['wrong kind', (c) => { c['kind'] = 'Config'; }, /kind: must be "Cluster"/],
    ['bad name', (c) => { c['name'] = 'Bad_Name'; }, /name: "Bad_Name" does not match/],
    ['bad kubeProxyMode', (c) => { c['networking']['kubeProxyMode'] = 'userspace'; }, /invalid kubeProxyMode: userspace/],
    ['unknown networking field', (c) => { c['networking']['cni'] = 'x'; }, /networking: unknown field "cni"/],
    ['bad podSubnet', (c) => { c['networking']['podSubnet'] = '10.244.0.0/33'; }, /podSubnet: invalid CIDR/],
    ['overlapping subnets', (c) => { c['networking']['podSubnet'] = '10.96.128.0/17'; }, /overlap/],
    ['bad ipFamily', (c) => { c['networking']['ipFamily'] = 'v4'; }, /ipFamily: invalid value/],
    ['non-boolean disableDefaultCNI', (c) => { c['networking']['disableDefaultCNI'] = 'yes'; }, /disableDefaultCNI: must be true or false/],
    ['bad role', (c) => { c['nodes'][1]['role'] = 'master'; }, /nodes\[1\]\.role: invalid role "master"/],
    ['no control plane', (c) => { c['nodes'] = [{ role: 'worker' }]; }, /at least one control-plane/],
    ['unknown node field', (c) => { c['nodes'][0]['taints'] = []; }, /nodes\[0\]: unknown field "taints"/],
    ['unquoted boolean label', (c) => { c['nodes'][0]['labels'] = { 'ingress-ready': true }; }, /labels: must map label keys to string values/],
    ['mount without hostPath', (c) => { c['nodes'][0]['extraMounts'] = [{ containerPath: '/x' }]; }, /extraMounts\[0\]\.hostPath: required/],
    ['bad propagation', (c) => { c['nodes'][0]['extraMounts'] = [{ containerPath: '/x', hostPath: '/y', propagation: 'Shared' }]; }, /propagation: invalid value "Shared"/],
    ['bad port protocol', (c) => { c['nodes'][0]['extraPortMappings'] = [{ containerPort: 80, protocol: 'ICMP' }]; }, /protocol: invalid value "ICMP"/],
  ])('rejects %s', (_name, mutate, problem) => {
    const config = valid();
    mutate(config);
    const problems = validateKindConfig(config);
    expect(problems.some((p) => problem.test(p))).toBe(true);
  });

  test('a node without a role defaults to control-plane, like kind', () => {
    const config = valid();
    config['nodes'] = [{}];
    expect(validateKindConfig(config)).toEqual([]);
  });

  test('rejects non-objects', () => {
    expect(validateKindConfig('kind: Cluster')).toEqual(['config: must be a map']);
  });
});

describe('parseCidr', () => {
  test('parses v4 and v6 and rejects junk', () => {
    expect(parseCidr('10.244.0.0/16')).toEqual({ family: 4, bits: (10n << 24n) | (244n << 16n), prefix: 16 });
    expect(parseCidr('fd00:10:244::/56')?.family).toBe(6);
    expect(parseCidr('10.244.0.0')).toBeUndefined();
    expect(parseCidr('300.1.1.1/8')).toBeUndefined();
    expect(parseCidr('10.0.0.0/x')).toBeUndefined();
  });
});
