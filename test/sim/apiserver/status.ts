// metav1.Status bodies and the errors that carry them through the request handlers, with the
// details the real API server gives: resource errors name the resource (plural) and its group
// (left out for the core group), Invalid names the kind, a path it does not serve has empty details.
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

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export interface StatusOptions {
  reason?: string;
  details?: StatusDetails;
}

export class ApiStatusError extends Error {
  readonly body: StatusBody;

  constructor(code: number, message: string, opts: StatusOptions = {}) {
    super(message);
    this.body = statusBody(code, message, opts);
  }
}

export function statusBody(code: number, message: string, opts: StatusOptions = {}): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: opts.reason ?? REASONS[code] ?? '',
    ...(opts.details ? { details: opts.details } : {}),
    code,
  };
}

const groupOf = (group: string): { group?: string } => (group === '' ? {} : { group });

/** Details of an error about one object of a resource: `{ name, group, kind: <plural> }`. */
export function resourceDetails(t: Pick<ResourceType, 'group' | 'plural'>, name: string, causes?: StatusCause[]): StatusDetails {
  return { ...(name === '' ? {} : { name }), ...groupOf(t.group), kind: t.plural, ...(causes ? { causes } : {}) };
}

/** Details of an Invalid: the kind rather than the resource, as field validation reports it. */
export function kindDetails(t: Pick<ResourceType, 'group' | 'kind'>, name: string, causes: StatusCause[]): StatusDetails {
  return { ...(name === '' ? {} : { name }), ...groupOf(t.group), kind: t.kind, causes };
}

/** `pods`, `deployments.apps`: how the API server names a resource in messages. */
export function qualifiedResource(t: ResourceType): string {
  return t.group === '' ? t.plural : `${t.plural}.${t.group}`;
}

/** A path under a served group whose version or resource the server does not have. */
export const notServed = (): ApiStatusError => new ApiStatusError(404, 'the server could not find the requested resource', { details: {} });

export const notFound = (t: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(404, `${qualifiedResource(t)} "${name}" not found`, { details: resourceDetails(t, name) });

/** Creating over an object that exists; over one being deleted the server says so first. */
export const alreadyExists = (t: ResourceType, name: string, beingDeleted = false): ApiStatusError =>
  new ApiStatusError(409, `${beingDeleted ? 'object is being deleted: ' : ''}${qualifiedResource(t)} "${name}" already exists`, { reason: 'AlreadyExists', details: resourceDetails(t, name) });
