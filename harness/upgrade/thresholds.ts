// Defaults of the upgrade verdicts (docs/verdicts.md, "Upgrade cells").

/**
 * Longest a monitored path may go without an answer during an upgrade and still pass: above one
 * lost probe (a tick, the 1 s probe timeout, the next tick ≈ 1.4 s), so a single dropped datagram
 * never turns an upgrade red, and well below the seconds an agent restart that drops traffic takes.
 */
export const DEFAULT_UPGRADE_MAX_GAP_MS = 3_000;
