// A jest reporter for the suites' child process: one marked stdout line as each check starts and
// ends, which the suite runner turns into live progress. Loaded by jest itself (Node strips the
// types), so it imports nothing.

/** Marks the reporter's lines among the suites' own output. */
export const PROGRESS_MARK = '[cnimatrix-progress] ';

interface CaseInfo {
  ancestorTitles: string[];
  title: string;
  status?: string;
}

export default class SuiteProgressReporter {
  onTestCaseStart(_test: unknown, info: CaseInfo): void {
    process.stdout.write(`${PROGRESS_MARK}${JSON.stringify({ event: 'start', path: [...info.ancestorTitles, info.title] })}\n`);
  }

  onTestCaseResult(_test: unknown, result: CaseInfo): void {
    process.stdout.write(`${PROGRESS_MARK}${JSON.stringify({ event: 'end', path: [...result.ancestorTitles, result.title], status: result.status })}\n`);
  }
}
