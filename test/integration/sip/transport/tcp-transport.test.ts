import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createResponse } from '../../../../src/sip/message/response-factory';
import { SipTransportError } from '../../../../src/sip/transport/transport-error';
import type { SipTransportLayer } from '../../../../src/sip/transport/transport-layer';
import {
  headerOf,
  type Inbox,
  ipv6LoopbackAvailable,
  portOf,
  rawRequest,
  startLayer,
  statusOf,
  TcpPeer,
  testLimits,
  until,
} from './transport-harness';
import { failureOf, mustSend } from '../../../support/send-outcome';

const tcpVia = (n: number): string => `SIP/2.0/TCP client.invalid:5099;branch=z9hG4bK-tcp-${n}`;

describe('SIP transport layer over TCP', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let port: number;
  const clients: TcpPeer[] = [];

  async function client(): Promise<TcpPeer> {
    const c = await TcpPeer.connect(port);
    clients.push(c);
    return c;
  }

  async function start(limits = testLimits): Promise<void> {
    ({ layer, inbox } = await startLayer([{ protocol: 'tcp', host: '127.0.0.1', port: 0 }], { limits }));
    port = portOf(layer, 'tcp', '127.0.0.1');
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await layer.close();
  });

  it('frames three pipelined messages written at once, in order, on one connection', async () => {
    await start();
    const c = await client();
    await c.write(
      [1, 2, 3].map((n) => rawRequest({ callId: `pipe-${n}`, via: tcpVia(n), body: `body ${n}` })).join(''),
    );
    const got = [await inbox.nextRequest(), await inbox.nextRequest(), await inbox.nextRequest()];
    assert.deepEqual(
      got.map((r) => [r.callId, r.body.toString()]),
      [
        ['pipe-1', 'body 1'],
        ['pipe-2', 'body 2'],
        ['pipe-3', 'body 3'],
      ],
    );
    const ids = new Set(got.map((r) => r.source?.connectionId));
    assert.equal(ids.size, 1);
    assert.equal(got[0]?.source?.protocol, 'tcp');
    assert.equal(got[0]?.topVia.params.get('received'), '127.0.0.1');
  });

  it('assembles a message written one byte at a time, with a UTF-8 body', async () => {
    await start();
    const c = await client();
    const bytes = Buffer.from(rawRequest({ callId: 'bytewise', via: tcpVia(4), body: 'ü€ ok' }), 'utf8');
    for (let i = 0; i < bytes.length; i++) await c.write(bytes.subarray(i, i + 1));
    const request = await inbox.nextRequest();
    assert.equal(request.callId, 'bytewise');
    assert.equal(request.body.toString('utf8'), 'ü€ ok');
  });

  it('keeps the bodies of earlier messages intact while later ones arrive in pieces', async () => {
    await start();
    const c = await client();
    const wire = [1, 2, 3].map((n) => rawRequest({ callId: `piece-${n}`, via: tcpVia(n), body: `${n}`.repeat(64) }));
    const [m1 = '', m2 = '', m3 = ''] = wire;
    await c.write(m1 + m2.slice(0, 100));
    const first = await inbox.nextRequest();
    await c.write(m2.slice(100) + m3.slice(0, 50));
    const second = await inbox.nextRequest();
    await c.write(m3.slice(50));
    const third = await inbox.nextRequest();
    assert.deepEqual(
      [first, second, third].map((r) => r.body.toString()),
      ['1'.repeat(64), '2'.repeat(64), '3'.repeat(64)],
    );
  });

  it('answers a double-CRLF ping with a single CRLF pong and keeps the connection', async () => {
    await start();
    const c = await client();
    await c.write('\r\n\r\n');
    assert.equal(await c.waitFor((r) => r.length >= 2, 'the pong'), '\r\n');
    await c.write(rawRequest({ callId: 'after-ping', via: tcpVia(5) }));
    assert.equal((await inbox.nextRequest()).callId, 'after-ping');
    assert.equal(c.received, '\r\n', 'one pong only');
  });

  it('answers 513 to a request longer than the limit and closes the connection', async () => {
    await start();
    const c = await client();
    const head = rawRequest({ callId: 'huge', via: tcpVia(6), contentLength: false });
    await c.write(head.replace(/\r\n\r\n$/, `\r\nContent-Length: ${testLimits.maxMessageBytes * 2}\r\n\r\n`));
    await c.waitClosed();
    assert.equal(statusOf(c.received), 513);
    assert.equal(headerOf(c.received, 'Call-ID'), 'huge');
  });

  it('closes a connection whose head grows past the limit without ever ending', async () => {
    await start();
    const c = await client();
    await c.write(`OPTIONS sip:as@127.0.0.1 SIP/2.0\r\n${'X-Filler: abcdefgh\r\n'.repeat(300)}`);
    await c.waitClosed();
  });

  it('answers 400 to a request without Content-Length, closes that connection only', async () => {
    await start();
    const good = await client();
    const bad = await client();
    await bad.write(rawRequest({ callId: 'no-length', via: tcpVia(7), contentLength: false }));
    await bad.waitClosed();
    assert.equal(statusOf(bad.received), 400);
    assert.equal(headerOf(bad.received, 'Call-ID'), 'no-length');

    await good.write(rawRequest({ callId: 'still-served', via: tcpVia(8) }));
    assert.equal((await inbox.nextRequest()).callId, 'still-served');
  });

  it('closes a connection that sends a garbage start line without stalling a slow one', async () => {
    await start();
    const slow = await client();
    await slow.write(rawRequest({ callId: 'slow', via: tcpVia(9) }).slice(0, 40));
    const bad = await client();
    await bad.write('\x16\x03\x01 not sip at all\r\n\r\n');
    await bad.waitClosed();
    await slow.write(rawRequest({ callId: 'slow', via: tcpVia(9) }).slice(40));
    assert.equal((await inbox.nextRequest()).callId, 'slow');
  });

  it('answers a well-framed but malformed request with 400 and keeps the connection', async () => {
    await start();
    const c = await client();
    await c.write(rawRequest({ callId: 'malformed', via: tcpVia(10) }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'));
    await c.waitFor((r) => r.includes('\r\n\r\n'), 'the 400');
    assert.equal(statusOf(c.received), 400);
    await c.write(rawRequest({ callId: 'next', via: tcpVia(11) }));
    assert.equal((await inbox.nextRequest()).callId, 'next');
  });

  it('closes a connection that stays idle for the idle timeout', async () => {
    await start({ ...testLimits, tcpIdleTimeoutMs: 200 });
    const c = await client();
    const opened = Date.now();
    await c.waitClosed('the idle timeout', 3000);
    assert.ok(Date.now() - opened >= 150, 'not closed before the timeout');
  });

  it('refuses connections beyond maxTcpConnections and accepts again when one closes', async () => {
    await start({ ...testLimits, maxTcpConnections: 2 });
    const first = await client();
    const second = await client();
    await second.write(rawRequest({ callId: 'second', via: tcpVia(12) }));
    await inbox.nextRequest();
    await TcpPeer.refused(port);
    assert.equal(layer.stats().tcpRefused, 1);

    first.destroy();
    await until(() => layer.stats().tcpConnections === 1, 'the layer to see the first connection close');
    const fourth = await client();
    await fourth.write(rawRequest({ callId: 'fourth', via: tcpVia(13) }));
    assert.equal((await inbox.nextRequest()).callId, 'fourth');
  });

  it('opens one outbound connection for requests to a target and reuses it', async () => {
    await start();
    const accepted: Socket[] = [];
    let received = '';
    const server: Server = createServer((s) => {
      accepted.push(s);
      s.on('data', (d) => (received += d.toString()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const c = await client();
      await c.write(rawRequest({ callId: 'template', via: tcpVia(14) }));
      const request = await inbox.nextRequest();
      const target = { protocol: 'tcp' as const, address: '127.0.0.1', port: address.port };
      // Two while the connection is being made, one once it is up: all three on one connection.
      layer.sendRequest(request, target, mustSend);
      layer.sendRequest(request, target, mustSend);
      await until(() => accepted.length === 1, 'the connection');
      layer.sendRequest(request, target, mustSend);
      await until(() => received.split('OPTIONS sip:').length - 1 >= 3, 'three requests at the server');
      assert.equal(received.split('OPTIONS sip:').length - 1, 3);
      assert.equal(accepted.length, 1);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects a request to a port nobody listens on with SIP.TRANSPORT_CONNECT', async () => {
    await start();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise((resolve) => probe.close(resolve));
    const c = await client();
    await c.write(rawRequest({ callId: 'template', via: tcpVia(15) }));
    const request = await inbox.nextRequest();
    const failure = await failureOf((onFailure) =>
      layer.sendRequest(request, { protocol: 'tcp', address: '127.0.0.1', port: address.port }, onFailure),
    );
    assert.ok(
      failure instanceof SipTransportError &&
        failure.code === 'SIP.TRANSPORT_CONNECT' &&
        failure.details.osCode === 'ECONNREFUSED',
    );
  });

  it('drops a peer that stops reading once too much is queued for it', async () => {
    ({ layer, inbox } = await startLayer([{ protocol: 'tcp', host: '127.0.0.1', port: 0 }], {
      maxTcpWriteBufferBytes: 64 * 1024,
    }));
    port = portOf(layer, 'tcp', '127.0.0.1');
    const c = await client();
    c.socket.pause();
    await c.write(rawRequest({ callId: 'reader', via: tcpVia(16), body: 'x'.repeat(3000) }));
    const request = await inbox.nextRequest();
    let dropped: unknown;
    for (let i = 0; i < 20_000 && dropped === undefined; i++) {
      layer.sendRequest(request, { protocol: 'tcp', address: '127.0.0.1', port: request.source!.port }, (e) => {
        dropped ??= e;
      });
      if (i % 100 === 99) await new Promise(setImmediate); // failures are reported a tick later
    }
    assert.ok(dropped instanceof SipTransportError, 'the layer stopped queueing for the peer');
    assert.equal(dropped.code, 'SIP.TRANSPORT_SEND');
  });
});

describe('SIP transport layer over TCP on IPv6', () => {
  before(async function () {
    if (!(await ipv6LoopbackAvailable())) {
      console.warn('    IPv6 loopback (::1) unavailable: skipping the IPv6 TCP tests');
      this.skip();
    }
  });

  it('receives a request on ::1 and answers it on the same connection', async () => {
    const { layer, inbox } = await startLayer([{ protocol: 'tcp', host: '::1', port: 0 }]);
    const c = await TcpPeer.connect(portOf(layer, 'tcp', '::1'), '::1');
    try {
      assert.deepEqual(layer.viaSentBy('tcp'), { host: '[::1]', port: portOf(layer, 'tcp', '::1') });
      await c.write(rawRequest({ callId: 'v6', via: 'SIP/2.0/TCP [::1]:5099;branch=z9hG4bK-v6' }));
      const request = await inbox.nextRequest();
      assert.equal(request.source?.address, '::1');
      layer.sendResponse(createResponse(request, 200), request.source, mustSend);
      await c.waitFor((r) => r.includes('\r\n\r\n'), 'the response');
      assert.equal(statusOf(c.received), 200);
    } finally {
      c.destroy();
      await layer.close();
    }
  });
});
