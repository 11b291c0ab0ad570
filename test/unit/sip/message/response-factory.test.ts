import assert from 'node:assert/strict';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { reasonPhrase } from '../../../../src/sip/message/reason-phrases';
import { createResponse } from '../../../../src/sip/message/response-factory';
import type { SipRequest } from '../../../../src/sip/message/sip-message';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';

const limits: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

const INVITE =
  'INVITE sip:bob@127.0.0.1 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtop\r\n' +
  'Via: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n' +
  'Max-Forwards: 70\r\nTo: Bob <sip:bob@127.0.0.1>\r\nFrom: <sip:alice@127.0.0.1>;tag=f1\r\n' +
  'Call-ID: call-1\r\nCSeq: 4 INVITE\r\nTimestamp: 54\r\nContact: <sip:a@127.0.0.1>\r\nContent-Length: 0\r\n\r\n';

function invite(text = INVITE): SipRequest {
  const m = parseMessage(Buffer.from(text), limits);
  assert.ok(m.isRequest());
  return m;
}

describe('createResponse', () => {
  it('copies every Via in order, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2)', () => {
    const res = createResponse(invite(), 180, undefined, { toTag: 'tt' });
    assert.equal(res.status, 180);
    assert.equal(res.reason, 'Ringing');
    assert.deepEqual(
      res.vias.map((v) => v.params.get('branch')),
      ['z9hG4bKtop', 'z9hG4bKa', 'z9hG4bKb'],
    );
    assert.equal(res.headers.get('from'), '<sip:alice@127.0.0.1>;tag=f1');
    assert.equal(res.toTag, 'tt');
    assert.equal(res.callId, 'call-1');
    assert.deepEqual(res.cseq, { seq: 4, method: 'INVITE' });
    assert.equal(res.headers.has('contact'), false);
  });

  it('never tags the To of a 100 Trying and copies its Timestamp', () => {
    const res = createResponse(invite(), 100, undefined, { toTag: 'tt' });
    assert.equal(res.toTag, null);
    assert.equal(res.headers.get('timestamp'), '54');
    assert.equal(createResponse(invite(), 200, undefined, { toTag: 'x' }).headers.has('timestamp'), false);
  });

  it('copies every Record-Route in order into the 101-299 responses that establish a dialog (RFC 3261 §12.1.1)', () => {
    const text = INVITE.replace(
      'Max-Forwards: 70\r\n',
      'Max-Forwards: 70\r\nRecord-Route: <sip:scscf.example;lr>, <sip:p1.example;lr>\r\nRecord-Route: <sip:p2.example;lr>\r\n',
    );
    for (const status of [180, 183, 200]) {
      assert.deepEqual(
        createResponse(invite(text), status, undefined, { toTag: 'tt' }).headers.getAll('record-route'),
        ['<sip:scscf.example;lr>', '<sip:p1.example;lr>', '<sip:p2.example;lr>'],
      );
    }
    for (const status of [100, 486, 487]) {
      assert.equal(createResponse(invite(text), status, undefined, { toTag: 'tt' }).headers.has('record-route'), false);
    }
    const inDialog = invite(text.replace('To: Bob <sip:bob@127.0.0.1>', 'To: <sip:bob@127.0.0.1>;tag=old'));
    assert.equal(createResponse(inDialog, 200).headers.has('record-route'), false, 'a re-INVITE changes no route set');
  });

  it('keeps an existing To tag', () => {
    const req = invite(INVITE.replace('To: Bob <sip:bob@127.0.0.1>', 'To: <sip:bob@127.0.0.1>;tag=old'));
    assert.equal(createResponse(req, 200, undefined, { toTag: 'new' }).toTag, 'old');
  });

  it('adds extra headers, a body and its Content-Type, and takes a custom reason', () => {
    const res = createResponse(invite(), 200, 'Fine', {
      toTag: 't',
      headers: [
        ['Allow', 'INVITE, ACK'],
        ['Supported', 'timer'],
      ],
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    assert.equal(res.reason, 'Fine');
    assert.equal(res.headers.get('allow'), 'INVITE, ACK');
    assert.equal(res.contentType, 'application/sdp');
    assert.match(serializeMessage(res).toString(), /Content-Length: 5\r\n\r\nv=0\r\n$/);
  });

  it('answers a request that failed to parse, copying its raw headers and tagging the raw To', () => {
    let partial: SipRequest | undefined;
    try {
      parseMessage(Buffer.from(INVITE.replace('To: Bob <sip:bob@127.0.0.1>', 'To: "Bob <sip:bob@127.0.0.1>')), limits);
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      partial = e.partial;
    }
    assert.ok(partial);
    const res = createResponse(partial, 400, 'Invalid To Header Field', { toTag: 'z' });
    assert.equal(res.headers.get('to'), '"Bob <sip:bob@127.0.0.1>;tag=z');
    assert.equal(res.headers.get('cseq'), '4 INVITE');
    assert.match(serializeMessage(res).toString(), /^SIP\/2\.0 400 Invalid To Header Field\r\n/);
  });
});

describe('reasonPhrase', () => {
  it('knows the standard codes, including the extension ones', () => {
    const expected: [number, string][] = [
      [420, 'Bad Extension'],
      [421, 'Extension Required'],
      [422, 'Session Interval Too Small'],
      [423, 'Interval Too Brief'],
      [469, 'Bad Info Package'],
      [480, 'Temporarily Unavailable'],
      [481, 'Call/Transaction Does Not Exist'],
      [482, 'Loop Detected'],
      [483, 'Too Many Hops'],
      [487, 'Request Terminated'],
      [488, 'Not Acceptable Here'],
      [491, 'Request Pending'],
      [505, 'Version Not Supported'],
      [513, 'Message Too Large'],
      [580, 'Precondition Failure'],
    ];
    for (const [status, reason] of expected) assert.equal(reasonPhrase(status), reason);
  });

  it('falls back to the class phrase for unknown codes', () => {
    assert.equal(reasonPhrase(499), 'Bad Request');
    assert.equal(reasonPhrase(299), 'OK');
  });
});
