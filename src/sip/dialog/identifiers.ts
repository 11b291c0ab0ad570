import { RandomPool } from './random-pool';

/** Shared by every identifier this process makes; the bytes, not the pool, are what must be fresh. */
const random = new RandomPool();

/** RFC 3261 §19.3: tags need at least 32 bits of randomness; we use 64. */
export function newTag(): string {
  return random.hex(8);
}

/** A globally unique Call-ID (RFC 3261 §8.1.1.4): 128 random bits at our host. */
export function newCallId(host: string): string {
  return `${random.hex(16)}@${host.replace(/^\[|\]$/g, '')}`;
}

/** RFC 3261 §8.1.1.7 branch randomness: 96 bits as base64url (token characters only). */
export function newBranchToken(): string {
  return random.base64url(12);
}
