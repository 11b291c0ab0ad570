// The random part comes from the pool dialog identifiers share.
import { newBranchToken } from '../dialog/identifiers';

/** RFC 3261 §8.1.1.7: every branch we create starts with this, so peers match on it. */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * A fresh branch: the magic cookie and 96 random bits from the system CSPRNG, base64url (token
 * characters only). RFC 3261 §8.1.1.7 asks for uniqueness; we also want it unguessable.
 */
export function newBranch(): string {
  return MAGIC_COOKIE + newBranchToken();
}

export function hasMagicCookie(branch: string | null): branch is string {
  return branch !== null && branch.startsWith(MAGIC_COOKIE);
}
