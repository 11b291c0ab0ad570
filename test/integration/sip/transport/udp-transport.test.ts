import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createResponse } from '../../../../src/sip/message/response-factory';
import { SipRequest } from '../../../../src/sip/message/sip-message';
import { SipHeaders } from '../../../../src/sip/message/sip-headers';
import { UDP_RECEIVE_BUFFER_BYTES, UdpTransport } from '../../../../src/sip/transport/udp-transport';
import type { SipTransportLayer } from '../../../../src/sip/transport/transport-layer';
import { testLogger } from '../../../support/test-app';
import {
  headerOf,
  type Inbox,
  ipv6LoopbackAvailable,
  portOf,
  rawRequest,
  startLayer,
  statusOf,
  UdpPeer,
} from './transport-harness';
import { mustSend } from '../../../support/send-outcome';

describe('SIP transport layer over UDP', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let peer: UdpPeer;
  let port: number;

  beforeEach(async () => {
    ({ layer, inbox } = await startLayer([{ protocol: 'udp', host: '127.0.0.1', port: 0 }]));
    peer = await UdpPeer.open();
    port = portOf(layer, 'udp', '127.0.0.1');
  });

  afterEach(async () => {
    await peer.close();
    await layer.close();
  });

  it('hands a received request up with its source and fills in received and rport', async () => {
    await peer.send(rawRequest({ via: 'SIP/2.0/UDP client.invalid:5070;rport;branch=z9hG4bK-a' }), port);
    const request = await inbox.nextRequest();
    assert.equal(request.method, 'OPTIONS');
    assert.deepEqual(request.source, {
      protocol: 'udp',
      address: '127.0.0.1',
      port: peer.port,
      localAddress: '127.0.0.1',
      localPort: port,
    });
    assert.equal(request.topVia.params.get('received'), '127.0.0.1');
    assert.equal(request.topVia.params.get('rport'), String(peer.port));
    assert.equal(request.branch, 'z9hG4bK-a');
  });

  it('adds received when the sent-by is another address, leaving a valueless rport out', async () => {
    await peer.send(rawRequest({ via: 'SIP/2.0/UDP 192.0.2.4:5070;branch=z9hG4bK-b' }), port);
    const via = (await inbox.nextRequest()).topVia;
    assert.equal(via.params.get('received'), '127.0.0.1');
    assert.equal(via.params.has('rport'), false);
  });

  it('leaves the Via alone when the sent-by is the source address and there is no rport', async () => {
    const value = 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-c';
    await peer.send(rawRequest({ via: `${value}, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-up` }), port);
    const request = await inbox.nextRequest();
    assert.equal(request.topVia.params.has('received'), false);
    assert.equal(request.vias.length, 2);
  });

  it('stamps only the top Via and keeps the others in order', async () => {
    await peer.send(
      rawRequest({ via: 'SIP/2.0/UDP a.invalid;rport;branch=z9hG4bK-d, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-up' }),
      port,
    );
    const vias = (await inbox.nextRequest()).vias;
    assert.equal(vias.length, 2);
    assert.equal(vias[0]?.params.get('received'), '127.0.0.1');
    assert.equal(vias[1]?.host, '192.0.2.9');
    assert.equal(vias[1]?.params.has('received'), false);
  });

  it('answers a malformed request with 400 to its source and keeps serving', async () => {
    const bad = rawRequest({ callId: 'bad-1' }).replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS');
    await peer.send(bad, port);
    const answer = await peer.next();
    assert.equal(statusOf(answer.text), 400);
    assert.equal(headerOf(answer.text, 'Call-ID'), 'bad-1');
    assert.equal(answer.port, port);

    await peer.send(rawRequest({ callId: 'good-1' }), port);
    assert.equal((await inbox.nextRequest()).callId, 'good-1');
    assert.equal(layer.stats().parseErrors, 1);
    assert.equal(layer.stats().errorsAnswered, 1);
  });

  it('never answers a malformed ACK', async () => {
    const badAck = rawRequest({ method: 'ACK', callId: 'ack-1' }).replace('CSeq: 1 ACK', 'CSeq: x ACK');
    const badOptions = rawRequest({ callId: 'options-2' }).replace('CSeq: 1 OPTIONS', 'CSeq: x OPTIONS');
    await peer.send(badAck, port);
    await peer.send(badOptions, port);
    const first = await peer.next();
    assert.equal(
      headerOf(first.text, 'Call-ID'),
      'options-2',
      'the first answer is for the OPTIONS, none came for the ACK',
    );
    assert.equal(layer.stats().parseErrors, 2);
  });

  it('answers a request over the size limit with 513', async () => {
    const big = rawRequest({ callId: 'big-1', body: 'x'.repeat(5000), extra: 'Content-Type: text/plain\r\n' });
    await peer.send(big, port);
    const answer = await peer.next();
    assert.equal(statusOf(answer.text), 513);
    assert.equal(headerOf(answer.text, 'Call-ID'), 'big-1');
  });

  it('ignores CRLF keep-alives and STUN packets', async () => {
    await peer.send('\r\n\r\n', port);
    await peer.send(Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), port);
    await peer.send(rawRequest({ callId: 'after-keepalive' }), port);
    assert.equal((await inbox.nextRequest()).callId, 'after-keepalive');
    assert.equal(layer.stats().keepAlives, 2);
    assert.equal(layer.stats().parseErrors, 0);
  });

  it('drops a response whose top Via is not ours and hands up one that is', async () => {
    const sentBy = layer.viaSentBy('udp');
    const response = (via: string, callId: string): string =>
      `SIP/2.0 200 OK\r\nVia: ${via}\r\nTo: <sip:b@127.0.0.1>;tag=b\r\nFrom: <sip:a@127.0.0.1>;tag=a\r\n` +
      `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    await peer.send(response('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x', 'foreign'), port);
    await peer.send(response(`SIP/2.0/UDP ${sentBy.host}:${sentBy.port};branch=z9hG4bK-y`, 'ours'), port);
    const message = await inbox.next();
    assert.equal(message.isRequest(), false);
    assert.equal(message.callId, 'ours');
    assert.equal(layer.stats().foreignResponses, 1);
  });

  it('sends a request to a UDP target', async () => {
    const headers = new SipHeaders()
      .append('Via', `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-out`)
      .append('Max-Forwards', '70')
      .append('To', '<sip:peer@127.0.0.1>')
      .append('From', '<sip:as@127.0.0.1>;tag=as1')
      .append('Call-ID', 'out-1')
      .append('CSeq', '1 MESSAGE')
      .append('Content-Type', 'text/plain');
    const request = new SipRequest({
      method: 'MESSAGE',
      uri: 'sip:peer@127.0.0.1',
      headers,
      body: Buffer.from('héllo', 'utf8'),
    });
    layer.sendRequest(request, { protocol: 'udp', address: '127.0.0.1', port: peer.port }, mustSend);
    const got = await peer.next();
    assert.match(got.text, /^MESSAGE sip:peer@127\.0\.0\.1 SIP\/2\.0\r\n/);
    assert.equal(headerOf(got.text, 'Content-Length'), '6');
    assert.ok(got.text.endsWith('\r\n\r\nhéllo'));
    assert.equal(got.port, port, 'sent from the listening socket');
  });

  it('sends bytes serialized before as they are, from the listening socket', async () => {
    const data = Buffer.from(
      `ACK sip:peer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-ack\r\n` +
        'Max-Forwards: 70\r\nTo: <sip:peer@127.0.0.1>;tag=p1\r\nFrom: <sip:as@127.0.0.1>;tag=as1\r\n' +
        'Call-ID: out-2\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n',
    );
    const target = { protocol: 'udp' as const, address: '127.0.0.1', port: peer.port };
    layer.sendSerialized(data, target, mustSend);
    layer.sendSerialized(data, target, mustSend);
    const [first, again] = [await peer.next(), await peer.next()];
    assert.equal(first.text, data.toString());
    assert.equal(again.text, data.toString());
    assert.equal(first.port, port);
  });

  it('answers through sendResponse to received and rport', async () => {
    await peer.send(rawRequest({ via: 'SIP/2.0/UDP client.invalid:5070;rport;branch=z9hG4bK-r' }), port);
    const request = await inbox.nextRequest();
    layer.sendResponse(createResponse(request, 200), request.source, mustSend);
    const got = await peer.next();
    assert.equal(statusOf(got.text), 200);
  });
});

describe('SIP transport layer over UDP on IPv6', () => {
  let available = false;
  before(async function () {
    available = await ipv6LoopbackAvailable();
    if (!available) {
      console.warn('    IPv6 loopback (::1) unavailable: skipping the IPv6 UDP tests');
      this.skip();
    }
  });

  it('receives a request, stamps received/rport, answers it and sends a request, all on ::1', async () => {
    const { layer, inbox } = await startLayer([{ protocol: 'udp', host: '::1', port: 0 }]);
    const peer = await UdpPeer.open('::1');
    try {
      const port = portOf(layer, 'udp', '::1');
      assert.deepEqual(layer.viaSentBy('udp'), { host: '[::1]', port });
      await peer.send(rawRequest({ via: 'SIP/2.0/UDP [2001:db8::5]:5070;rport;branch=z9hG4bK-v6' }), port, '::1');
      const request = await inbox.nextRequest();
      assert.equal(request.source?.address, '::1');
      assert.equal(request.topVia.params.get('received'), '::1');
      assert.equal(request.topVia.params.get('rport'), String(peer.port));

      layer.sendResponse(createResponse(request, 200), request.source, mustSend);
      assert.equal(statusOf((await peer.next()).text), 200);

      layer.sendRequest(request, { protocol: 'udp', address: '::1', port: peer.port }, mustSend);
      assert.match((await peer.next()).text, /^OPTIONS /);
    } finally {
      await peer.close();
      await layer.close();
    }
  });
});

describe('UDP socket receive buffer', () => {
  it('asks the kernel for a large receive buffer, so a burst outlasts a stalled event loop', async function () {
    const limitFile = '/proc/sys/net/core/rmem_max';
    if (!existsSync(limitFile)) this.skip();
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0 }, { onDatagram() {} }, testLogger());
    try {
      const granted = Math.min(UDP_RECEIVE_BUFFER_BYTES, Number(readFileSync(limitFile, 'utf8')));
      assert.ok(transport.receiveBufferBytes() >= granted, `receive buffer ${transport.receiveBufferBytes()}`);
    } finally {
      await transport.close();
    }
  });
});
