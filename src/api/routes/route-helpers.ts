import { parseIdentity } from '../../cmr/identity';
import type { Identity } from '../../cmr/model';
import type { Page, PutResult } from '../../cmr/ports/cmr-store.port';
import type { Validation } from '../../cmr/problem';
import { ID_PATTERN } from '../../cmr/provisioning-validation';
import { badRequest, notFound, validationFailed } from '../api-error';
import type { ApiRequest, ApiResponse } from '../route';

/** The canonical identity named by a path parameter; 400 naming `path.<name>` if it is not one. */
export function pathIdentity(req: ApiRequest, name = 'identity'): Identity {
  const raw = req.params[name] ?? '';
  const r = parseIdentity(raw);
  if (!r.ok) throw badRequest('the identity in the path is not valid', [{ field: `path.${name}`, problem: r.problem }]);
  return r.identity;
}

/** A resource or group id from the path; 400 naming `path.<name>` if it is not a valid id. */
export function pathId(req: ApiRequest, name: string): string {
  const raw = req.params[name] ?? '';
  if (!ID_PATTERN.test(raw)) {
    throw badRequest('the id in the path is not valid', [
      { field: `path.${name}`, problem: 'must be 1-64 characters of letters, digits, ".", "_" and "-"' },
    ]);
  }
  return raw;
}

/** The entity, or a 422 carrying every problem the domain validation found. */
export function validated<T>(v: Validation<T>): T {
  if (!v.ok) throw validationFailed(v.problems);
  return v.value;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The document with its key field taken from the path when the client left it out; a key that is
 * present goes through validation unchanged and is compared with the path afterwards.
 */
export function withKeyFromPath(doc: unknown, key: string, value: string): unknown {
  return isPlainObject(doc) && !(key in doc) ? { ...doc, [key]: value } : doc;
}

/** 422 when the key in the document names another entity than the path. */
export function requireSameKey(documentKey: string, pathKey: string, field: string): void {
  if (documentKey !== pathKey) {
    throw validationFailed([
      { field, problem: `${JSON.stringify(documentKey)} does not match the path (${JSON.stringify(pathKey)})` },
    ]);
  }
}

/** 404 for a missing entity. */
export function found<T>(value: T | null, what: string): T {
  if (value === null) throw notFound(`${what} not found`);
  return value;
}

/** 201 with Location for a new entity, 200 for a replaced one; the body is the entity as stored. */
export function putAnswer(result: PutResult, location: string, body: unknown): ApiResponse {
  return result.created ? { status: 201, body, headers: { Location: location } } : { status: 200, body };
}

export function pageAnswer<T>(page: Page<T>): ApiResponse {
  return { status: 200, body: { items: page.items, next: page.nextCursor } };
}

export const noContent: ApiResponse = { status: 204 };

/** A path segment for a Location header. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
