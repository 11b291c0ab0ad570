/**
 * Strings a call keeps for its whole life, made cheap to keep. V8 represents a string built by
 * concatenation as a tree of pieces, and a slice of 13 characters or more as a view that keeps the
 * whole string it was cut from (a message head) alive.
 */

/** The same string, flattened in place: reading one character does it (a tree is ~3x its text). */
export function flatString(value: string): string {
  value.charCodeAt(0);
  return value;
}

/** A copy that refers to no larger string: for a tag or Call-ID sliced from a head we do not keep. */
export function detachedString(value: string): string {
  // Shorter slices are copies already (V8 makes views of 13 characters or more only).
  return value.length < 13 ? value : Buffer.from(value, 'utf8').toString('utf8');
}
