// What the doctor reports: one line per check.

export const CHECK_STATUSES = ['ok', 'warn', 'missing'] as const;
/** ok: fine · warn: may cause trouble, does not block · missing: a run would fail without it. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it; absent when status is ok. */
  fix?: string;
}

export interface DoctorReport {
  checks: CheckResult[];
}
