// Things the Docker host must provide before a cell can work. kind nodes share the host kernel, so
// kernel modules and sysctls cannot be fixed from inside a node.

import type { SuiteName } from '../harness/model/cell.ts';

export type HostPrereq =
  | { kind: 'kernelModule'; module: string; why: string; forSuites?: SuiteName[] }
  | { kind: 'kernelVersion'; min: string; why: string }
  | { kind: 'sysctl'; key: string; min: number; why: string };

/** Needed by every cell: several kind clusters at once exhaust Ubuntu's default inotify limits. */
export const commonHostPrereqs: HostPrereq[] = [
  {
    kind: 'sysctl',
    key: 'fs.inotify.max_user_watches',
    min: 524288,
    why: 'kind nodes run systemd, kubelet and containerd, which watch many files; below this, nodes fail with "too many open files"',
  },
  {
    kind: 'sysctl',
    key: 'fs.inotify.max_user_instances',
    min: 512,
    why: 'each kind node uses several inotify instances; parallel clusters exceed the default of 128',
  },
];

/** The suites that send SCTP (when the cell has the sctp capability). */
export const SCTP_SUITES: readonly SuiteName[] = ['pod-network', 'network-policy'];

/** SCTP checks need the host's sctp module; only cells whose suites send SCTP ask for it. */
export const sctpModule: HostPrereq = {
  kind: 'kernelModule',
  module: 'sctp',
  why: 'SCTP pod traffic in the pod-network and network-policy suites',
  forSuites: [...SCTP_SUITES],
};

export function describeHostPrereq(prereq: HostPrereq): string {
  switch (prereq.kind) {
    case 'kernelModule':
      return `kernel module ${prereq.module} (${prereq.why})`;
    case 'kernelVersion':
      return `kernel >= ${prereq.min} (${prereq.why})`;
    case 'sysctl':
      return `sysctl ${prereq.key} >= ${prereq.min} (${prereq.why})`;
  }
}
