// Errors from the Kubernetes API, classified as transient (retried) or permanent (raised at once).

export interface KubeApiErrorDetails {
  /** What the request was doing: get, list, apply, create, patch, delete, exec, logs... */
  verb: string;
  /** The object the request was about: `Deployment ns/name`, `Pod kube-system/*`, or a path. */
  ref: string;
  /** HTTP status; 0 when no HTTP response arrived (connection refused, reset...). */
  status: number;
  /** The Status reason (NotFound, AlreadyExists, Conflict, Invalid...) or the network error code. */
  reason: string;
  /** The API server's Status message, or the network error's message. */
  apiMessage: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

export class KubeApiError extends Error {
  readonly verb: string;
  readonly ref: string;
  readonly status: number;
  readonly reason: string;
  readonly apiMessage: string;
  readonly attempts: number;

  constructor(d: KubeApiErrorDetails) {
    const where = d.status > 0 ? `${d.status} ${d.reason}` : d.reason;
    const tries = d.attempts && d.attempts > 1 ? ` (after ${d.attempts} attempts)` : '';
    super(`${d.verb} ${d.ref} failed: ${where}: ${d.apiMessage}${tries}`, d.cause === undefined ? undefined : { cause: d.cause });
    this.name = 'KubeApiError';
    this.verb = d.verb;
    this.ref = d.ref;
    this.status = d.status;
    this.reason = d.reason;
    this.apiMessage = d.apiMessage;
    this.attempts = d.attempts ?? 1;
  }

  withAttempts(attempts: number): KubeApiError {
    return new KubeApiError({ verb: this.verb, ref: this.ref, status: this.status, reason: this.reason, apiMessage: this.apiMessage, attempts, cause: this.cause });
  }

  /** The same error with `note` appended to the API message. */
  withNote(note: string): KubeApiError {
    return new KubeApiError({ verb: this.verb, ref: this.ref, status: this.status, reason: this.reason, apiMessage: `${this.apiMessage} (${note})`, attempts: this.attempts, cause: this.cause });
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';
}

/** The Status reason the API server gives each code, for answers that carry no Status body. */
const REASON_OF_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonOfStatus(status: number): string | undefined {
  return REASON_OF_STATUS[status];
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const PERMANENT_STATUS = new Set([400, 401, 403, 404, 405, 409, 415, 422]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** Admission webhooks whose backend is still starting (ingress-nginx admission, for one). */
const TRANSIENT_MESSAGE = /failed calling webhook|no endpoints available for service|connection refused|socket hang up/i;

/** No HTTP answer at all: the server is down, unreachable or dropped the connection. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 0 && TRANSIENT_CODES.has(err.reason);
}

/**
 * A server-side apply the server cannot type against its schema (an unknown field, a wrong type):
 * older API servers answer it with a 500, but sending it again gives the same answer.
 */
const SCHEMA_REJECTION = /failed to create typed (patch|live) object|failed to create manager for existing fields/i;

/** Worth retrying: the server is restarting, overloaded, or a webhook behind it is not up yet. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  if (SCHEMA_REJECTION.test(err.apiMessage)) return false;
  if (err.status === 0) return TRANSIENT_CODES.has(err.reason) || TRANSIENT_MESSAGE.test(err.apiMessage);
  if (TRANSIENT_STATUS.has(err.status)) return true;
  return !PERMANENT_STATUS.has(err.status) && TRANSIENT_MESSAGE.test(err.apiMessage);
}
