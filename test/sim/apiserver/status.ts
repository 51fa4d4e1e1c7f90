// metav1.Status bodies and the errors that carry them through the request handlers.
import type { ResourceType } from './resources.ts';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason: string; message: string; field?: string }> };
  code: number;
}

export class ApiStatusError extends Error {
  readonly body: StatusBody;

  constructor(code: number, message: string, opts: { reason?: string; type?: ResourceType; name?: string; causes?: Array<{ reason: string; message: string; field?: string }> } = {}) {
    super(message);
    this.body = statusBody(code, message, opts);
  }
}

export function statusBody(code: number, message: string, opts: { reason?: string; type?: ResourceType; name?: string; causes?: Array<{ reason: string; message: string; field?: string }> } = {}): StatusBody {
  const details = opts.type || opts.name || opts.causes
    ? {
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.type ? { group: opts.type.group, kind: opts.type.plural } : {}),
        ...(opts.causes ? { causes: opts.causes } : {}),
      }
    : undefined;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: opts.reason ?? REASONS[code] ?? '',
    ...(details ? { details } : {}),
    code,
  };
}

/** `pods`, `deployments.apps`: how the API server names a resource in messages. */
export function qualifiedResource(t: ResourceType): string {
  return t.group === '' ? t.plural : `${t.plural}.${t.group}`;
}

export const notFound = (t: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(404, `${qualifiedResource(t)} "${name}" not found`, { type: t, name });

export const alreadyExists = (t: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(409, `${qualifiedResource(t)} "${name}" already exists`, { reason: 'AlreadyExists', type: t, name });
