// What to collect from a cell when it fails, so the report says why in seconds.

export type DiagnosticItem = 'pods' | 'logs' | 'previousLogs' | 'events';

export interface Diagnostic {
  what: string;
  namespace: string;
  labelSelector?: string;
  /** Container whose logs to collect; all containers when omitted. */
  container?: string;
  collect: DiagnosticItem[];
}
