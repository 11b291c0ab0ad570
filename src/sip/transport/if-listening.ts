import type { TransportProtocol } from '../message/sip-message';
import { SipTransportError } from './transport-error';

/** Every transport protocol we can listen on. */
export const TRANSPORT_PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls'];

/**
 * The value of `read` (e.g. our Via sent-by or Contact on one protocol), or undefined when the
 * transport layer does not listen on that protocol (SIP.TRANSPORT_UNAVAILABLE); other errors propagate.
 */
export function ifListening<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof SipTransportError && error.code === 'SIP.TRANSPORT_UNAVAILABLE') return undefined;
    throw error;
  }
}
