import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: every branch we create starts with this, so peers match on it. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** 96 bits from the system CSPRNG (RFC 3261 §8.1.1.7 asks for uniqueness; we also want unguessable). */
const BRANCH_RANDOM_BYTES = 12;

/** A fresh branch: the magic cookie and 96 random bits, base64url (token characters only). */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(BRANCH_RANDOM_BYTES).toString('base64url');
}

export function hasMagicCookie(branch: string | null): branch is string {
  return branch !== null && branch.startsWith(MAGIC_COOKIE);
}
