import { parseNameAddr } from '../message/name-addr';
import { ownedBuffer } from '../message/owned-buffer';

/** The SDP origin (RFC 4566 §5.2) we put on every body sent to one leg, so its version rises by one per change. */
export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly address: string;
}

/**
 * Our origin for one call's bodies, from the Contact we put on its messages (`<sip:host:port;...>`):
 * the session id is the call's start in seconds (RFC 4566 §5.2 suggests an NTP-like timestamp).
 */
export function localOrigin(contact: string, nowMs: number): SdpOrigin {
  const host = parseNameAddr(contact).uri.host;
  return { username: 'cmr-as', sessionId: String(Math.floor(nowMs / 1000)), address: host };
}

/**
 * Replaces the o= line of an SDP body with our origin and the given version (RFC 3264 §8: a new
 * offer in the same session keeps the session id and raises the version). Other lines are untouched.
 */
export function withOrigin(sdp: Buffer, origin: SdpOrigin, version: number): Buffer {
  const text = sdp.toString('utf8');
  // RFC 4566 §5.2 takes a bare IPv6 address; a host taken from a SIP URI has it in brackets.
  const address = origin.address.replace(/^\[(.*)\]$/, '$1');
  const family = address.includes(':') ? 'IP6' : 'IP4';
  const line = `o=${origin.username} ${origin.sessionId} ${version} IN ${family} ${address}`;
  const replaced = /^o=.*$/m.test(text) ? text.replace(/^o=.*$/m, line) : text;
  return ownedBuffer(replaced); // kept by the call for as long as it rings
}
