// Live progress of the suites' child process, from the lines of suite-progress-reporter: the
// check running now with the cell's counts so far, and a line per finished check group (suite ›
// top-level group), so the longest phase of a run is not silent.
import { PROGRESS_MARK } from './suite-progress-reporter.ts';

export interface CheckCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export type SuiteProgressEvent =
  | { kind: 'check-started'; check: string; total: CheckCounts }
  | { kind: 'group-ended'; group: string; counts: CheckCounts };

const zero = (): CheckCounts => ({ passed: 0, failed: 0, skipped: 0 });

export function countsText(c: CheckCounts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped > 0 ? `, ${c.skipped} skipped` : ''}`;
}

export class SuiteProgressTracker {
  private readonly total = zero();
  private group: { name: string; counts: CheckCounts } | undefined;

  /** Events for one line of the child's stdout; none for lines that are not the reporter's. */
  feed(line: string): SuiteProgressEvent[] {
    if (!line.startsWith(PROGRESS_MARK)) return [];
    let parsed: { event?: string; path?: unknown; status?: string };
    try {
      parsed = JSON.parse(line.slice(PROGRESS_MARK.length)) as typeof parsed;
    } catch {
      return [];
    }
    if (!Array.isArray(parsed.path)) return [];
    const path = parsed.path.map(String);
    const events: SuiteProgressEvent[] = [];
    const groupName = path.slice(0, Math.min(2, path.length - 1)).join(' › ');
    if (this.group && this.group.name !== groupName) events.push(...this.finish());
    this.group ??= { name: groupName, counts: zero() };
    if (parsed.event === 'start') events.push({ kind: 'check-started', check: path.join(' › '), total: { ...this.total } });
    if (parsed.event === 'end') {
      const key: keyof CheckCounts = parsed.status === 'passed' ? 'passed' : parsed.status === 'failed' ? 'failed' : 'skipped';
      this.group.counts[key] += 1;
      this.total[key] += 1;
    }
    return events;
  }

  /** The last group's line, once the child has ended. */
  finish(): SuiteProgressEvent[] {
    const ended = this.group;
    this.group = undefined;
    return ended ? [{ kind: 'group-ended', group: ended.name, counts: ended.counts }] : [];
  }
}
