// Test helper: a private state directory for the recording fake kind, and its call log.

import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RECORDER_BIN = fileURLToPath(new URL('../fixtures/kind-recorder/kind', import.meta.url));

export interface RecordedCall {
  argv: string[];
  stdin: string | null;
}

export interface Recorder {
  dir: string;
  env: Record<string, string>;
  calls(): RecordedCall[];
}

export function newRecorder(env: Record<string, string> = {}): Recorder {
  const dir = mkdtempSync(path.join(tmpdir(), 'kind-recorder-'));
  const log = path.join(dir, 'calls.jsonl');
  return {
    dir,
    env: { KIND_RECORDER_LOG: log, KIND_RECORDER_STATE: dir, ...env },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as RecordedCall)
        : [],
  };
}
