// Host-side artifacts a cell needs before `kind create cluster`, e.g. a CNI plugin binary that
// the kind node image lacks, mounted into every node with extraMounts.

import type { Pin } from './pin.ts';

/** Extract one file from a pinned .tgz into the cnimatrix cache. */
export interface ExtractFileStep {
  kind: 'extractFile';
  /** Referenced by a profile's node mounts. */
  id: string;
  description: string;
  archive: Pin;
  /** Path of the file inside the archive, e.g. "./bridge". */
  member: string;
  /** Destination relative to the cache directory; the plan shows the absolute path. */
  dest: string;
  /** File mode for the extracted file (0o755 for plugin binaries). */
  fileMode: number;
}

export type PrepareStep = ExtractFileStep;
