import type { SipMessage } from '../message/sip-message';

/**
 * Gives a received message to the TU, then drops its parsed header views (about 1 KB): the TU reads
 * them while it handles the message, but a dialog, a transaction or a call may keep the message for
 * minutes, for its headers and body. A view read again later is parsed again.
 */
export function handOver(message: SipMessage, handle: () => void): void {
  try {
    handle();
  } finally {
    message.releaseViews();
  }
}
