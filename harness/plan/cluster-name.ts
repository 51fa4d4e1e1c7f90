// kind cluster names for cells. Node containers are named <cluster>-control-plane and
// <cluster>-worker<N>, and those names become hostnames, so they must stay valid DNS labels.

import { BadInputError } from '../model/errors.ts';

export const CLUSTER_PREFIX = 'cnimatrix-';

/** Longest node suffix kind appends ("-control-plane" is longer than any "-worker<N>" we plan). */
const LONGEST_NODE_SUFFIX = '-control-plane';
const MAX_HOSTNAME = 63;
export const MAX_CLUSTER_NAME = MAX_HOSTNAME - LONGEST_NODE_SUFFIX.length;

const DNS_LABEL_CHARS = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function validateRunId(runId: string): void {
  if (!DNS_LABEL_CHARS.test(runId)) {
    throw new BadInputError(
      `invalid run id "${runId}"`,
      'a run id uses lower-case letters, digits and "-", and starts and ends with a letter or digit (it becomes part of kind cluster and node names)',
    );
  }
}

/** 'cnimatrix-' + runId + '-' + cellId, rejected when a node hostname would exceed 63 characters. */
export function clusterNameFor(runId: string, cellId: string): string {
  validateRunId(runId);
  const name = `${CLUSTER_PREFIX}${runId}-${cellId}`;
  if (!DNS_LABEL_CHARS.test(name)) {
    throw new BadInputError(`invalid cluster name "${name}" for cell "${cellId}"`, 'cell ids use lower-case letters, digits and "-"');
  }
  if (name.length > MAX_CLUSTER_NAME) {
    const room = MAX_CLUSTER_NAME - (CLUSTER_PREFIX.length + cellId.length + 1);
    throw new BadInputError(
      `cluster name "${name}" is ${name.length} characters; node hostname "${name}${LONGEST_NODE_SUFFIX}" would exceed ${MAX_HOSTNAME}`,
      `use a run id of at most ${Math.max(room, 0)} characters for cell "${cellId}"`,
    );
  }
  return name;
}
