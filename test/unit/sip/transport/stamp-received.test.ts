import assert from 'node:assert/strict';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import type { MessageSource, SipRequest } from '../../../../src/sip/message/sip-message';
import { stampReceived } from '../../../../src/sip/transport/stamp-received';

const limits = { maxMessageBytes: 8192, maxHeaders: 64, maxLineBytes: 1024 };

function request(vias: string[], extra = ''): SipRequest {
  const text =
    'OPTIONS sip:as@127.0.0.1 SIP/2.0\r\n' +
    vias.map((v) => `Via: ${v}\r\n`).join('') +
    extra +
    'To: <sip:as@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
  const message = parseMessage(Buffer.from(text), limits);
  assert.ok(message.isRequest());
  return message;
}

function from(address: string, port = 40000): MessageSource {
  return { protocol: 'udp', address, port, localAddress: '127.0.0.1', localPort: 5060 };
}

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('leaves the Via as written when the sent-by is the source address and there is no rport', () => {
    const r = request(['SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1']);
    assert.equal(stampReceived(r, from('10.0.0.1')), false);
    assert.equal(r.headers.get('via'), 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1');
  });

  it('adds received when the sent-by is a domain name', () => {
    const r = request(['SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1']);
    assert.equal(stampReceived(r, from('192.0.2.1')), true);
    assert.equal(r.topVia.params.get('received'), '192.0.2.1');
    assert.equal(r.topVia.host, 'pc33.example.com');
  });

  it('adds received when the sent-by is another address', () => {
    const r = request(['SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1']);
    stampReceived(r, from('192.0.2.1'));
    assert.equal(r.topVia.params.get('received'), '192.0.2.1');
    assert.equal(r.topVia.port, 5070);
    assert.equal(r.branch, 'z9hG4bK1');
  });

  it('fills an empty rport with the source port and adds received even for the same address', () => {
    const r = request(['SIP/2.0/UDP 10.0.0.1:5070;rport;branch=z9hG4bK1']);
    stampReceived(r, from('10.0.0.1', 43210));
    assert.equal(r.topVia.params.get('rport'), '43210');
    assert.equal(r.topVia.params.get('received'), '10.0.0.1');
  });

  it('replaces a received the client wrote itself', () => {
    const r = request(['SIP/2.0/UDP 10.0.0.1;received=6.6.6.6;branch=z9hG4bK1']);
    stampReceived(r, from('192.0.2.1'));
    assert.equal(r.topVia.params.get('received'), '192.0.2.1');
  });

  it('treats another spelling of the same IPv6 address and a mapped IPv4 source as the same address', () => {
    const v6 = request(['SIP/2.0/UDP [2001:db8:0::1]:5070;branch=z9hG4bK1']);
    assert.equal(stampReceived(v6, from('2001:db8::1')), false);
    const v4 = request(['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1']);
    assert.equal(stampReceived(v4, from('::ffff:10.0.0.1')), false);
  });

  it('writes an IPv6 received without brackets', () => {
    const r = request(['SIP/2.0/UDP [2001:db8::1]:5070;rport;branch=z9hG4bK1']);
    stampReceived(r, from('2001:db8::9', 6000));
    assert.equal(r.topVia.params.get('received'), '2001:db8::9');
    assert.equal(r.topVia.params.get('rport'), '6000');
  });

  it('rewrites only the top Via of a comma list and keeps the rest in order', () => {
    const r = request([
      'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK0',
      'SIP/2.0/TCP c.example.com;branch=z9hG4bKc',
    ]);
    stampReceived(r, from('192.0.2.1'));
    assert.deepEqual(
      r.vias.map((v) => [v.host, v.params.get('received') ?? null]),
      [
        ['a.example.com', '192.0.2.1'],
        ['b.example.com', null],
        ['c.example.com', null],
      ],
    );
  });

  it('keeps a single Via field where it was among the headers', () => {
    const r = request(['SIP/2.0/UDP a.example.com;branch=z9hG4bK1'], 'Max-Forwards: 70\r\n');
    const before = r.headers.entries().map((f) => f.key);
    stampReceived(r, from('192.0.2.1'));
    assert.deepEqual(
      r.headers.entries().map((f) => f.key),
      before,
    );
  });
});
