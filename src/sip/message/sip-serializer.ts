import type { SipMessage } from './sip-message';

/**
 * Writes a message to the wire: start line, header fields in order with their wire names, a
 * Content-Length always equal to the body's byte length (in place of the first given one, the others
 * dropped; appended when there was none), the empty line and the body. One allocation for the result.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.isRequest() ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  let lengthWritten = false;
  for (const f of msg.headers.entries()) {
    if (f.key === 'content-length') {
      if (!lengthWritten) head += `${f.name}: ${msg.body.length}\r\n`;
      lengthWritten = true;
    } else head += `${f.name}: ${f.value}\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${msg.body.length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headBytes);
  return out;
}
