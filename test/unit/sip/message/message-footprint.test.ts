import assert from 'node:assert/strict';
import { displayName, headerKey } from '../../../../src/sip/message/header-names';
import { ParamList } from '../../../../src/sip/message/param-list';
import { SipHeaders } from '../../../../src/sip/message/sip-headers';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';
import { parseVia } from '../../../../src/sip/message/via';

const LIMITS = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

function invite(callId: string): Buffer {
  const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
  return Buffer.from(
    [
      'INVITE sip:bob@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bK-1;rport',
      'From: "Alice" <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>',
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'P-Asserted-Identity: <sip:+15550001002@127.0.0.2>',
      'Content-Type: application/sdp',
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n'),
  );
}

describe('what a kept message holds (memory per call)', () => {
  it('copies the body out of the datagram, so keeping the message does not keep the datagram', () => {
    const data = invite('c1@127.0.0.2');
    const msg = parseMessage(data, LIMITS);
    assert.notEqual(msg.body.buffer, data.buffer);
    assert.equal(msg.body.byteLength, msg.body.buffer.byteLength);
    data.fill(0);
    assert.match(msg.body.toString(), /^v=0\r\n/);
  });

  it('shares one empty body among messages without one', () => {
    const text = invite('c2@127.0.0.2')
      .toString()
      .replace(/Content-Type[^]*$/, 'Content-Length: 0\r\n\r\n');
    const a = parseMessage(Buffer.from(text), LIMITS);
    const b = parseMessage(Buffer.from(text), LIMITS);
    assert.equal(a.body.length, 0);
    assert.equal(a.body, b.body);
  });

  it('reads parsed views again after they are released, and after the headers change', () => {
    const msg = parseMessage(invite('c3@127.0.0.2'), LIMITS);
    const from = msg.from;
    assert.equal(msg.from, from, 'cached while handled');
    msg.releaseViews();
    assert.notEqual(msg.from, from);
    assert.deepEqual(msg.from, from);
    msg.headers.set('From', '<sip:carol@127.0.0.3>;tag=c9');
    assert.equal(msg.fromTag, 'c9');
    assert.equal(msg.callId, 'c3@127.0.0.2');
  });

  it('keeps header fields in order through set, prepend, removeFirstValue and remove', () => {
    const h = new SipHeaders().append('Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2');
    h.append('To', '<sip:x@y>').append('Route', '<sip:r1;lr>').append('Route', '<sip:r2;lr>');
    h.prepend('Via', 'SIP/2.0/UDP top;branch=z9hG4bK0').set('Route', '<sip:only;lr>').removeFirstValue('via');
    assert.deepEqual(
      h.entries().map((f) => [f.name, f.value]),
      [
        ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
        ['To', '<sip:x@y>'],
        ['Route', '<sip:only;lr>'],
      ],
    );
    h.removeFirstValue('Via').remove('to');
    assert.deepEqual(h.getAll('via'), ['SIP/2.0/UDP b;branch=z9hG4bK2']);
    assert.equal(h.size, 2);
    assert.equal(h.clone().valueAt(1), '<sip:only;lr>');
  });

  it('prints header names that are also Object properties as header names', () => {
    const msg = parseMessage(invite('c4@127.0.0.2'), LIMITS);
    msg.headers.append('constructor', 'x').append('toString', 'y');
    const text = serializeMessage(msg).toString();
    assert.match(text, /\r\nConstructor: x\r\nTostring: y\r\n/);
    assert.equal(displayName('__proto__'), '__proto__');
    assert.equal(headerKey('CONSTRUCTOR'), 'constructor');
  });

  it('gives parameters Map semantics in a flat list: order, first value of a repeated name, null for a flag', () => {
    const via = parseVia('SIP/2.0/UDP h;branch=z9hG4bK1;rport;branch=z9hG4bK2;received=10.0.0.1');
    assert.ok(via.params instanceof ParamList);
    assert.equal(via.params.size, 3);
    assert.equal(via.params.get('branch'), 'z9hG4bK1');
    assert.equal(via.params.get('rport'), null);
    assert.equal(via.params.has('rport'), true);
    assert.equal(via.params.get('maddr'), undefined);
    assert.deepEqual([...via.params.keys()], ['branch', 'rport', 'received']);
    assert.deepEqual(
      new Map(via.params),
      new Map([
        ['branch', 'z9hG4bK1'],
        ['rport', null],
        ['received', '10.0.0.1'],
      ]),
    );
  });
});
