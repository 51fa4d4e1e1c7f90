// Live progress of a run: a task list per cell in a terminal, plain timestamped lines otherwise
// (not a TTY, or CI=true), so CI logs stay readable.
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { CellResult, PhaseName, PhaseTiming } from '../model/results.ts';

export interface Progress {
  note(line: string): void;
  cellStarted(cellId: string): void;
  phaseStarted(cellId: string, phase: PhaseName): void;
  phaseEnded(cellId: string, timing: PhaseTiming): void;
  log(cellId: string, line: string): void;
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
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.write = write;
  }

  private line(cellId: string, text: string): void {
    this.write(`${new Date().toISOString().slice(11, 19)} ${cellId.padEnd(18)} ${text}`);
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
  cellEnded(cellId: string, result: CellResult): void {
    this.line(cellId, `done: ${cellSummary(result)}`);
  }
  async close(): Promise<void> {}
}

interface CellTask {
  task?: ListrTaskWrapper<unknown, never, never>;
  phase: string;
  phaseStart: number;
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
    this.list = new Listr(
      cellIds.map((id) => ({
        title: `${id}: waiting`,
        task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
          new Promise<void>((resolve, reject) => {
            this.cells.set(id, { task, phase: 'waiting', phaseStart: Date.now(), done: resolve, failed: reject });
          }),
      })),
      { concurrent: true, exitOnError: false },
    );
    this.running = this.list.run().catch(() => undefined);
    this.ticker = setInterval(() => this.refresh(), 1000);
  }

  private refresh(): void {
    for (const [id, cell] of this.cells) {
      if (cell.task && cell.phase !== 'done') cell.task.title = `${id}: ${cell.phase} (${seconds(Date.now() - cell.phaseStart)})`;
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
    this.refresh();
  }
  phaseEnded(): void {}
  log(cellId: string, line: string): void {
    const cell = this.cells.get(cellId);
    if (cell?.task) cell.task.output = line;
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
  const plain = !process.stderr.isTTY || process.env.CI === 'true';
  return plain ? new LineProgress() : new TaskListProgress(cellIds);
}
