import { describe, expect, test } from '@jest/globals';
import { PROGRESS_MARK } from '../../harness/run/suite-progress-reporter.ts';
import { SuiteProgressTracker } from '../../harness/run/suite-progress.ts';

const line = (event: 'start' | 'end', path: string[], status?: string) => `${PROGRESS_MARK}${JSON.stringify({ event, path, status })}`;

describe('live suite progress', () => {
  test('each check start carries the counts so far; a group ends when the next begins or the child ends', () => {
    const tracker = new SuiteProgressTracker();
    const events = [
      ...tracker.feed(line('start', ['dns', 'records', 'A record'])),
      ...tracker.feed(line('end', ['dns', 'records', 'A record'], 'passed')),
      ...tracker.feed('[cnimatrix] dns › something the suite printed'),
      ...tracker.feed(line('start', ['dns', 'records', 'SRV record'])),
      ...tracker.feed(line('end', ['dns', 'records', 'SRV record'], 'failed')),
      ...tracker.feed(line('start', ['dns', 'availability', 'answers'])),
      ...tracker.feed(line('end', ['dns', 'availability', 'answers'], 'pending')),
      ...tracker.finish(),
    ];
    expect(events).toEqual([
      { kind: 'check-started', check: 'dns › records › A record', total: { passed: 0, failed: 0, skipped: 0 } },
      { kind: 'check-started', check: 'dns › records › SRV record', total: { passed: 1, failed: 0, skipped: 0 } },
      { kind: 'group-ended', group: 'dns › records', counts: { passed: 1, failed: 1, skipped: 0 } },
      { kind: 'check-started', check: 'dns › availability › answers', total: { passed: 1, failed: 1, skipped: 0 } },
      { kind: 'group-ended', group: 'dns › availability', counts: { passed: 0, failed: 0, skipped: 1 } },
    ]);
  });

  test('ignores malformed lines', () => {
    expect(new SuiteProgressTracker().feed(`${PROGRESS_MARK}{not json`)).toEqual([]);
  });
});
