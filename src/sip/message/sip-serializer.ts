import type { SipMessage } from './sip-message';

/** Where the bytes of a serialized message go: a shared slab (sent at once) or a buffer of their own (kept). */
export type WireAllocation = 'transient' | 'kept';

/**
 * Writes a message to the wire: start line, header fields in order with their wire names, a
 * Content-Length always equal to the body's byte length (in place of the first given one, the others
 * dropped; appended when there was none), the empty line and the body. One allocation for the result:
 * from a slab shared with other outgoing messages unless the bytes are to be `kept`.
 */
export function serializeMessage(msg: SipMessage, allocation: WireAllocation = 'transient'): Buffer {
  let head = msg.isRequest() ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  let lengthWritten = false;
  const headers = msg.headers;
  for (let i = 0; i < headers.size; i++) {
    if (headers.keyAt(i) === 'content-length') {
      if (!lengthWritten) head += `${headers.nameAt(i)}: ${msg.body.length}\r\n`;
      lengthWritten = true;
    } else head += `${headers.nameAt(i)}: ${headers.valueAt(i)}\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${msg.body.length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.byteLength(head, 'utf8');
  const size = headBytes + msg.body.length;
  // A kept slice of the slab would keep all 64 KB of it.
  const out = allocation === 'kept' ? Buffer.allocUnsafeSlow(size) : wireBuffer(size);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headBytes);
  return out;
}

/**
 * Outgoing bytes come from a slab of their own rather than Node's shared Buffer pool. They live only
 * until the socket has sent them; in the shared pool they would sit between the small bodies a call
 * keeps for its whole life (SDP copies), and every 8 KB slab holding one of those stays allocated.
 */
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function wireBuffer(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafeSlow(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  slabUsed = (slabUsed + size + 7) & ~7; // 8-byte aligned, as Node's pool does
  return out;
}
