import assert from 'node:assert/strict';
import type { TLSSocket } from 'node:tls';
import type { TransportLimits } from '../../../src/sip/transport/transport';
import type { SipTransportLayer, TransportStats } from '../../../src/sip/transport/transport-layer';
import { type Inbox, rawRequest, startLayer, TcpPeer, testLimits, until } from '../sip/transport/transport-harness';
import { hasOpenssl, makeTestPki, type TestPki } from './test-pki';
import { openTls } from './tls-client';

/** The first bytes of a TLS 1.2+ ClientHello record that announces 200 bytes and never sends them. */
const HALF_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03]);
const HANDSHAKE_TIMEOUT_MS = 300;

describe('TLS handshake limits (sip.limits.tlsHandshakeTimeoutMs, maxTlsHandshakes)', function () {
  this.timeout(15_000);
  let pki: TestPki;
  let layer: SipTransportLayer | undefined;
  let inbox: Inbox;
  let port: number;
  const peers: TcpPeer[] = [];
  const tlsClients: TLSSocket[] = [];

  before(async function () {
    if (!(await hasOpenssl())) {
      console.log('    (skipped: openssl is not installed, so no test certificates can be made)');
      this.skip();
    }
    pki = await makeTestPki('handshake');
  });
  after(async () => {
    await pki?.dispose();
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.destroy();
    for (const s of tlsClients.splice(0)) s.destroy();
    await layer?.close();
    layer = undefined;
  });

  async function start(limits: Partial<TransportLimits> = {}): Promise<SipTransportLayer> {
    const started = await startLayer([{ protocol: 'tls', host: '127.0.0.1', port: 0 }], {
      limits: { ...testLimits, tlsHandshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, ...limits },
      tls: { credentials: { cert: pki.cert, key: pki.key, ca: pki.ca }, requireClientCert: false },
    });
    layer = started.layer;
    inbox = started.inbox;
    port = layer.addresses().find((a) => a.protocol === 'tls')?.port ?? 0;
    return layer;
  }

  /** A plain TCP client on the TLS port that never completes a handshake. */
  async function stalled(localAddress?: string): Promise<TcpPeer> {
    const peer = await TcpPeer.connect(port, '127.0.0.1', localAddress);
    peers.push(peer);
    return peer;
  }

  /** A TLS client that completes its handshake and gets an OPTIONS through to the layer. */
  async function sendsOptionsOverTls(n: number, localAddress?: string): Promise<void> {
    const socket = await openTls(port, { ca: pki.ca, ...(localAddress ? { localAddress } : {}) });
    tlsClients.push(socket);
    socket.write(rawRequest({ callId: `tls-${n}`, via: `SIP/2.0/TLS client.invalid:5099;branch=z9hG4bK-hs-${n}` }));
    const request = await inbox.nextRequest();
    assert.equal(request.callId, `tls-${n}`);
    assert.equal(request.source?.protocol, 'tls');
  }

  function refused(stats: TransportStats, reason: string): number {
    return stats.refusedConnections.find((r) => r.protocol === 'tls' && r.reason === reason)?.count ?? 0;
  }

  it('closes a client that connects and sends nothing once the handshake timeout passes', async () => {
    const tls = await start();
    const silent = await stalled();
    await until(() => tls.stats().tlsHandshakes === 1, 'the handshake to be under way');
    await silent.waitClosed('the server to give up the handshake', HANDSHAKE_TIMEOUT_MS * 10);
    await until(() => tls.stats().tlsHandshakes === 0, 'the handshake count to drop');
    assert.equal(tls.stats().tlsHandshakeFailures, 1);
  });

  it('closes a client that sends half a ClientHello and then stalls', async () => {
    const tls = await start();
    const half = await stalled();
    await half.write(HALF_CLIENT_HELLO);
    await half.waitClosed('the server to give up the handshake', HANDSHAKE_TIMEOUT_MS * 10);
    assert.equal(half.received, '', 'nothing was answered');
    await until(() => tls.stats().tlsHandshakes === 0, 'the handshake count to drop');
  });

  it('refuses connections beyond maxTlsHandshakes while handshakes hang, and takes TLS again once they end', async () => {
    const tls = await start({ tlsHandshakeTimeoutMs: 60_000, maxTlsHandshakes: 2 });
    const hung = [await stalled(), await stalled()];
    await until(() => tls.stats().tlsHandshakes === 2, 'two handshakes under way');
    await TcpPeer.refused(port);
    await assert.rejects(openTls(port, { ca: pki.ca }), 'a real client is refused too while the cap is reached');
    assert.equal(refused(tls.stats(), 'handshakes'), 2);

    for (const peer of hung) peer.destroy();
    await until(() => tls.stats().tlsHandshakes === 0, 'the hung handshakes to end');
    await sendsOptionsOverTls(1);
    assert.equal(tls.stats().tlsConnections, 1);
  });

  it('counts connections still in their handshake against the per-source cap', async () => {
    const tls = await start({ tlsHandshakeTimeoutMs: 60_000, maxConnectionsPerSource: 1 });
    await stalled();
    await until(() => tls.stats().tlsHandshakes === 1, 'the handshake to be under way');
    await assert.rejects(openTls(port, { ca: pki.ca }));
    assert.equal(refused(tls.stats(), 'per-source'), 1);
    await sendsOptionsOverTls(2, '127.0.0.2');
  });

  it('ends every handshake it counts: success, timeout, early close and garbage bring the count back to 0', async () => {
    const tls = await start();
    await sendsOptionsOverTls(3);
    await stalled(); // times out
    (await stalled()).destroy(); // leaves first
    const garbage = await stalled();
    await garbage.write('OPTIONS sip:x SIP/2.0\r\n\r\n'); // plain SIP on the TLS port
    await until(() => tls.stats().tlsHandshakeFailures === 3, 'three failed handshakes', HANDSHAKE_TIMEOUT_MS * 10);
    assert.equal(tls.stats().tlsHandshakes, 0);
    assert.equal(tls.stats().tlsConnections, 1, 'the good connection stays');
  });

  it('closes connections still in their handshake when the layer closes', async () => {
    const tls = await start({ tlsHandshakeTimeoutMs: 60_000 });
    const silent = await stalled();
    await until(() => tls.stats().tlsHandshakes === 1, 'the handshake to be under way');
    await tls.close();
    layer = undefined;
    await silent.waitClosed('the layer to close the connection on shutdown');
  });
});
