import { randomBytes } from 'node:crypto';

/** RFC 3261 §19.3: tags need at least 32 bits of randomness; we use 64. */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A globally unique Call-ID (RFC 3261 §8.1.1.4): 128 random bits at our host. */
export function newCallId(host: string): string {
  return `${randomBytes(16).toString('hex')}@${host.replace(/^\[|\]$/g, '')}`;
}
