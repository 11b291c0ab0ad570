/** The SDP origin (RFC 4566 §5.2) we put on every body sent to one leg, so its version rises by one per change. */
export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly address: string;
}

/**
 * Replaces the o= line of an SDP body with our origin and the given version (RFC 3264 §8: a new
 * offer in the same session keeps the session id and raises the version). Other lines are untouched.
 */
export function withOrigin(sdp: Buffer, origin: SdpOrigin, version: number): Buffer {
  const text = sdp.toString('utf8');
  const family = origin.address.includes(':') ? 'IP6' : 'IP4';
  const line = `o=${origin.username} ${origin.sessionId} ${version} IN ${family} ${origin.address}`;
  const replaced = /^o=.*$/m.test(text) ? text.replace(/^o=.*$/m, line) : text;
  return Buffer.from(replaced, 'utf8');
}
