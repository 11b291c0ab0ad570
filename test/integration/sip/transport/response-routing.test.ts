import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createResponse } from '../../../../src/sip/message/response-factory';
import { PreparedResponse } from '../../../../src/sip/transport/prepared-response';
import type { SipTransportLayer } from '../../../../src/sip/transport/transport-layer';
import { SipTransportError } from '../../../../src/sip/transport/transport-error';
import {
  type Inbox,
  portOf,
  rawRequest,
  startLayer,
  statusOf,
  TcpPeer,
  UdpPeer,
  until,
  within,
} from './transport-harness';
import { mustSend } from '../../../support/send-outcome';

/** RFC 3261 §18.2.2 and RFC 3581 §4, observed on the wire: which socket gets the response. */
describe('SIP transport layer response routing', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let sender: UdpPeer; // where requests come from
  let other: UdpPeer; // a second port the Via may point at
  let udpPort: number;

  beforeEach(async () => {
    ({ layer, inbox } = await startLayer([
      { protocol: 'udp', host: '127.0.0.1', port: 0 },
      { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    ]));
    sender = await UdpPeer.open();
    other = await UdpPeer.open();
    udpPort = portOf(layer, 'udp', '127.0.0.1');
  });

  afterEach(async () => {
    await sender.close();
    await other.close();
    await layer.close();
  });

  async function answerRequestWithVia(via: string): Promise<void> {
    await sender.send(rawRequest({ via }), udpPort);
    const request = await inbox.nextRequest();
    layer.sendResponse(createResponse(request, 200), request.source, mustSend);
  }

  /** The status of the first datagram at `peer` (the layer sends one response, so it goes to one socket). */
  async function firstDatagramAt(peer: UdpPeer): Promise<number | undefined> {
    return statusOf((await peer.next()).text);
  }

  it('sends to the sent-by when the source matches it and there is no rport', async () => {
    await answerRequestWithVia(`SIP/2.0/UDP 127.0.0.1:${other.port};branch=z9hG4bK-1`);
    assert.equal(await firstDatagramAt(other), 200);
  });

  it('sends to received at the sent-by port when the sent-by differs from the source', async () => {
    await answerRequestWithVia(`SIP/2.0/UDP 192.0.2.33:${other.port};branch=z9hG4bK-2`);
    assert.equal(await firstDatagramAt(other), 200);
  });

  it('sends to received and rport, back to the port the request came from', async () => {
    await answerRequestWithVia(`SIP/2.0/UDP 192.0.2.33:${other.port};rport;branch=z9hG4bK-3`);
    assert.equal(await firstDatagramAt(sender), 200);
  });

  it('sends to maddr at the sent-by port when the Via has maddr', async () => {
    await answerRequestWithVia(`SIP/2.0/UDP 192.0.2.33:${other.port};maddr=127.0.0.1;rport;branch=z9hG4bK-4`);
    assert.equal(await firstDatagramAt(other), 200);
  });

  it('sends a prepared response to where the response would go, the same bytes each time', async () => {
    await sender.send(rawRequest({ via: `SIP/2.0/UDP 192.0.2.33:${other.port};rport;branch=z9hG4bK-p` }), udpPort);
    const request = await inbox.nextRequest();
    const prepared = PreparedResponse.of(createResponse(request, 200, undefined, { toTag: 'b1' }), request.source);
    layer.sendPrepared(prepared, mustSend);
    layer.sendPrepared(prepared, mustSend);
    const [first, again] = [await sender.next(), await sender.next()];
    assert.equal(statusOf(first.text), 200);
    assert.equal(again.text, first.text);
    assert.equal(first.text, prepared.data.toString());
  });

  it('refuses to prepare a response it could not route, with a typed error', async () => {
    await sender.send(rawRequest({ via: 'SIP/2.0/SCTP 192.0.2.33:5060;branch=z9hG4bK-q' }), udpPort);
    const request = await inbox.nextRequest();
    assert.throws(
      () => PreparedResponse.of(createResponse(request, 200)),
      (e: unknown) => e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_ROUTE',
    );
  });

  it('answers a TCP request on the connection it came on', async () => {
    const client = await TcpPeer.connect(portOf(layer, 'tcp', '127.0.0.1'));
    try {
      await client.write(rawRequest({ via: 'SIP/2.0/TCP client.invalid:5099;branch=z9hG4bK-5' }));
      const request = await inbox.nextRequest();
      assert.equal(request.source?.protocol, 'tcp');
      assert.ok(request.source?.connectionId);
      layer.sendResponse(createResponse(request, 200), request.source, mustSend);
      const text = await client.waitFor((r) => r.includes('\r\n\r\n'), 'the response on the connection');
      assert.equal(statusOf(text), 200);
    } finally {
      client.destroy();
    }
  });

  it('opens a new connection to received at the sent-by port when the request connection is gone', async () => {
    const accepted: Socket[] = [];
    const server: Server = createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    const client = await TcpPeer.connect(portOf(layer, 'tcp', '127.0.0.1'));
    try {
      await client.write(rawRequest({ via: `SIP/2.0/TCP 192.0.2.77:${address.port};branch=z9hG4bK-6` }));
      const request = await inbox.nextRequest();
      assert.equal(request.topVia.params.get('received'), '127.0.0.1');
      client.destroy();
      await client.waitClosed();
      await until(() => layer.stats().tcpConnections === 0, 'the layer to see the connection close');
      const response = createResponse(request, 200);
      const data = new Promise<string>((resolve) =>
        server.once('connection', (s) => s.once('data', (d) => resolve(d.toString()))),
      );
      layer.sendResponse(response, request.source, mustSend);
      assert.equal(statusOf(await within(data, 'the response on a new connection')), 200);
    } finally {
      client.destroy();
      for (const s of accepted) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
