import assert from 'node:assert/strict';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { SipHeaders } from '../../../../src/sip/message/sip-headers';
import { SipRequest, SipResponse, type SipMessage } from '../../../../src/sip/message/sip-message';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';

const limits: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

/** What must survive a round trip: start line, header fields other than Content-Length, and body. */
function essence(m: SipMessage): unknown {
  return {
    start: m.isRequest() ? [m.method, m.uri] : [m.status, m.reason],
    fields: m.headers.entries().filter((f) => f.key !== 'content-length'),
    body: m.body.toString('hex'),
  };
}

const samples: string[] = [
  'INVITE sip:bob@[2001:db8::1]:5060 SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::2]:5070;branch=z9hG4bK1;rport\r\n' +
    'To: "Bob, B." <sip:bob@example.com>\r\nFrom: "Älice" <sip:alice@example.com>;tag=1\r\nCall-ID: x@y\r\n' +
    'CSeq: 7 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:a@h>, <sip:b@h>;q=0.1\r\nContent-Type: text/plain;charset=utf-8\r\n' +
    'Content-Length: 12\r\n\r\nhéllo wörld',
  'SIP/2.0 183 Session Progress ✓\r\nv: SIP/2.0/TCP h:5060;branch=z9hG4bK2\r\nt: <sip:a@b>;tag=9\r\nf: <sip:c@d>;tag=8\r\n' +
    'i: cid\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n',
];

describe('serializeMessage', () => {
  it('writes start line, headers in order with their wire names, Content-Length and body', () => {
    const headers = new SipHeaders()
      .append('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx')
      .append('To', '<sip:b@h>')
      .append('From', '<sip:a@h>;tag=1')
      .append('Call-ID', 'c')
      .append('CSeq', '1 MESSAGE');
    const req = new SipRequest({ method: 'MESSAGE', uri: 'sip:b@h', headers, body: Buffer.from('ok') });
    assert.equal(
      serializeMessage(req).toString(),
      'MESSAGE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nTo: <sip:b@h>\r\n' +
        'From: <sip:a@h>;tag=1\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nContent-Length: 2\r\n\r\nok',
    );
  });

  it('replaces a wrong Content-Length in place and drops duplicates, counting UTF-8 bytes', () => {
    const headers = new SipHeaders().append('Content-Length', '999').append('X-A', '1').append('l', '5');
    const res = new SipResponse({ status: 200, reason: 'OK', headers, body: Buffer.from('€') });
    assert.equal(serializeMessage(res).toString(), 'SIP/2.0 200 OK\r\nContent-Length: 3\r\nX-A: 1\r\n\r\n€');
  });

  it('writes a Content-Length of 0 for an empty body', () => {
    const res = new SipResponse({ status: 100, reason: 'Trying' });
    assert.equal(serializeMessage(res).toString(), 'SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n');
  });

  it('gives back an equal message when its output is parsed again', () => {
    for (const text of samples) {
      const first = parseMessage(Buffer.from(text), limits);
      const again = parseMessage(serializeMessage(first), limits);
      assert.deepEqual(essence(again), essence(first));
      assert.deepEqual(serializeMessage(again), serializeMessage(first));
    }
  });

  it('keeps binary bodies byte for byte', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    const res = new SipResponse({ status: 200, reason: 'OK', body });
    const out = serializeMessage(res);
    assert.deepEqual(out.subarray(out.length - body.length), body);
  });
});
