// Live progress of a run: a task list per cell in a terminal, plain timestamped lines otherwise
// (not a TTY, or CI=true), so CI logs stay readable.
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { CellResult, PhaseName, PhaseTiming } from '../model/results.ts';
import { inGitHubActions } from '../report/github-actions.ts';

export interface Progress {
  note(line: string): void;
  cellStarted(cellId: string): void;
  phaseStarted(cellId: string, phase: PhaseName): void;
  phaseEnded(cellId: string, timing: PhaseTiming): void;
  log(cellId: string, line: string): void;
  /** What the cell does right now (the check running, counts so far); replaced by the next. */
  status(cellId: string, line: string): void;
  cellEnded(cellId: string, result: CellResult): void;
  close(): Promise<void>;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function cellSummary(result: CellResult): string {
  const count = (status: string) => result.tests.filter((t) => t.status === status).length;
  if (result.error) return `error in ${result.error.phase}: ${result.error.message}`;
  return `${count('pass')} passed, ${count('fail')} failed, ${count('flaky')} flaky, ${count('unsupported')} unsupported, ${count('error')} errors`;
}

/** One line per event: `12:00:01 calico-iptables  create-cluster ok (41.2s)`. */
export class LineProgress implements Progress {
  protected readonly write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.write = write;
  }

  protected stamp(cellId: string, text: string): string {
    return `${new Date().toISOString().slice(11, 19)} ${cellId.padEnd(18)} ${text}`;
  }

  protected line(cellId: string, text: string): void {
    this.write(this.stamp(cellId, text));
  }

  note(line: string): void {
    this.write(line);
  }
  cellStarted(cellId: string): void {
    this.line(cellId, 'started');
  }
  phaseStarted(cellId: string, phase: PhaseName): void {
    this.line(cellId, `${phase} …`);
  }
  phaseEnded(cellId: string, t: PhaseTiming): void {
    const detail = t.status === 'ok' ? '' : `: ${t.error ?? ''}`;
    this.line(cellId, `${t.phase} ${t.status} (${seconds(t.durationMs)})${detail}`);
  }
  log(cellId: string, line: string): void {
    this.line(cellId, `  ${line}`);
  }
  /** A log is no place for a line per check; the per-group log lines carry the counts. */
  status(): void {}
  cellEnded(cellId: string, result: CellResult): void {
    this.line(cellId, `done: ${cellSummary(result)}`);
  }
  async close(): Promise<void> {}
}

/**
 * GitHub Actions: each cell's lines in a `::group::` of its own, written when the cell ends (cells
 * run in parallel, and groups cannot interleave); start and end stay visible outside the groups.
 */
export class GroupedLineProgress extends LineProgress {
  private readonly groups = new Map<string, string[]>();

  protected override line(cellId: string, text: string): void {
    const group = this.groups.get(cellId);
    if (group) group.push(this.stamp(cellId, text));
    else super.line(cellId, text);
  }

  override cellStarted(cellId: string): void {
    super.cellStarted(cellId);
    this.groups.set(cellId, []);
  }
  override cellEnded(cellId: string, result: CellResult): void {
    this.flush(cellId);
    super.cellEnded(cellId, result);
  }
  private flush(cellId: string): void {
    const lines = this.groups.get(cellId);
    if (!lines) return;
    this.groups.delete(cellId);
    this.write(`::group::${cellId}`);
    for (const line of lines) this.write(line);
    this.write('::endgroup::');
  }
  override async close(): Promise<void> {
    for (const cellId of [...this.groups.keys()]) this.flush(cellId);
  }
}

interface CellTask {
  /** Set once listr2 starts the cell's task; events before that only update the state. */
  task?: ListrTaskWrapper<unknown, never, never>;
  phase: string;
  phaseStart: number;
  /** The phase's current detail (e.g. counts and the check running); cleared by the next phase. */
  status?: string;
  done: () => void;
  failed: (error: Error) => void;
}

/** A listr2 task list: one task per cell showing its current phase and elapsed time. */
export class TaskListProgress implements Progress {
  private readonly cells = new Map<string, CellTask>();
  private readonly list: Listr;
  private readonly running: Promise<unknown>;
  private readonly ticker: NodeJS.Timeout;

  constructor(cellIds: readonly string[]) {
    for (const id of cellIds) this.cells.set(id, { phase: 'waiting', phaseStart: Date.now(), done: () => undefined, failed: () => undefined });
    this.list = new Listr(
      cellIds.map((id) => ({
        title: `${id}: waiting`,
        task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
          new Promise<void>((resolve, reject) => {
            const cell = this.cells.get(id)!;
            Object.assign(cell, { task, done: resolve, failed: reject });
            this.refresh();
          }),
      })),
      // The run handles SIGINT itself (cleanup, matrix, exit 130); listr2's own handler would
      // exit 127 at once and leave the clusters running.
      { concurrent: true, exitOnError: false, registerSignalListeners: false },
    );
    this.running = this.list.run().catch(() => undefined);
    this.ticker = setInterval(() => this.refresh(), 1000);
  }

  private refresh(): void {
    for (const [id, cell] of this.cells) {
      if (cell.task && cell.phase !== 'done') {
        cell.task.title = `${id}: ${cell.phase} (${seconds(Date.now() - cell.phaseStart)})${cell.status ? ` · ${cell.status}` : ''}`;
      }
    }
  }

  note(line: string): void {
    process.stderr.write(`${line}\n`);
  }
  cellStarted(): void {}
  phaseStarted(cellId: string, phase: PhaseName): void {
    const cell = this.cells.get(cellId);
    if (!cell) return;
    cell.phase = phase;
    cell.phaseStart = Date.now();
    delete cell.status;
    this.refresh();
  }
  phaseEnded(): void {}
  log(cellId: string, line: string): void {
    const cell = this.cells.get(cellId);
    if (cell?.task) cell.task.output = line;
  }
  status(cellId: string, line: string): void {
    const cell = this.cells.get(cellId);
    if (!cell) return;
    cell.status = line;
    this.refresh();
  }
  cellEnded(cellId: string, result: CellResult): void {
    const cell = this.cells.get(cellId);
    if (!cell?.task) return;
    cell.phase = 'done';
    const failed = result.error !== undefined || result.tests.some((t) => t.status === 'fail' || t.status === 'error');
    cell.task.title = `${cellId}: ${cellSummary(result)}`;
    if (failed) cell.failed(new Error(`${cellId}: ${cellSummary(result)}`));
    else cell.done();
  }
  async close(): Promise<void> {
    clearInterval(this.ticker);
    // Cells that never started (interrupted run) are closed so the list can finish.
    for (const [, cell] of this.cells) if (cell.phase !== 'done') cell.done();
    await this.running;
  }
}

export function createProgress(cellIds: readonly string[]): Progress {
  if (inGitHubActions()) return new GroupedLineProgress();
  const plain = !process.stderr.isTTY || process.env.CI === 'true';
  return plain ? new LineProgress() : new TaskListProgress(cellIds);
}
