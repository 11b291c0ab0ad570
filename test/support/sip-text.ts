import { parseMessage } from '../../src/sip/message/sip-parser';
import type { SipRequest, SipResponse } from '../../src/sip/message/sip-message';

const LIMITS = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

/** Parses a message written in a test as lines (CRLF added, Content-Length computed when absent). */
export function sipMessage(lines: string[], body = ''): SipRequest | SipResponse {
  const hasLength = lines.some((l) => /^(content-length|l)\s*:/i.test(l));
  const head = hasLength ? lines : [...lines, `Content-Length: ${Buffer.byteLength(body)}`];
  return parseMessage(Buffer.from(head.join('\r\n') + '\r\n\r\n' + body), LIMITS);
}

export function sipRequest(lines: string[], body = ''): SipRequest {
  const m = sipMessage(lines, body);
  if (!m.isRequest()) throw new Error('expected a request');
  return m;
}

export function sipResponse(lines: string[], body = ''): SipResponse {
  const m = sipMessage(lines, body);
  if (m.isRequest()) throw new Error('expected a response');
  return m;
}

/** A minimal valid request outside a dialog, with extra header lines appended. */
export function basicRequest(method: string, extra: string[] = [], body = '', uri = 'sip:bob@127.0.0.1'): SipRequest {
  return sipRequest(
    [
      `${method} ${uri} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
      'Max-Forwards: 70',
      'From: <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>',
      'Call-ID: call-1@127.0.0.2',
      `CSeq: 1 ${method}`,
      ...extra,
    ],
    body,
  );
}
