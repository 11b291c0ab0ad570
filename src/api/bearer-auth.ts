import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthOutcome = 'ok' | 'missing' | 'invalid';

/** The `WWW-Authenticate` challenge for a 401 (RFC 6750 §3). */
export function bearerChallenge(outcome: Exclude<AuthOutcome, 'ok'>): string {
  return outcome === 'missing' ? 'Bearer realm="cmr"' : 'Bearer realm="cmr", error="invalid_token"';
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Checks an `Authorization: Bearer <token>` header against the configured token (RFC 6750 §2.1).
 * Both sides are hashed first so the comparison is constant-time whatever the lengths.
 */
export function checkBearer(header: string | undefined, expectedToken: string): AuthOutcome {
  if (header === undefined || header.trim() === '') return 'missing';
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!m || m[1] === undefined) return 'invalid';
  return timingSafeEqual(digest(m[1]), digest(expectedToken)) ? 'ok' : 'invalid';
}
