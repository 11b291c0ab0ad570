import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature of a portal record. */
export const SIGNATURE_HEADER = 'X-Cmr-Signature';

/**
 * The `X-Cmr-Signature` value of a body: `sha256=` and the lowercase hex HMAC-SHA256 of the exact body
 * bytes under the shared secret (`portal.hmacSecret`), as GitHub and Stripe webhooks do.
 */
export function portalSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `header` is the signature of `body` under `secret` (compared in constant time). */
export function verifyPortalSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(portalSignature(secret, body), 'utf8');
  const given = Buffer.from(header.trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
