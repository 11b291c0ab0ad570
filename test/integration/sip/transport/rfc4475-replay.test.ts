import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SipTransportLayer } from '../../../../src/sip/transport/transport-layer';
import { type Inbox, portOf, rawRequest, startLayer, UdpPeer } from './transport-harness';

const DIR = path.resolve(__dirname, '../../../../../shared/conformance/rfc4475');

/** RFC 4475 §3.1.1: valid requests, which the transport must hand up (the responses among them are dropped as not ours). */
const VALID_REQUESTS = [
  'wsinv.dat',
  'intmeth.dat',
  'esc01.dat',
  'escnull.dat',
  'esc02.dat',
  'lwsdisp.dat',
  'longreq.dat',
  'dblreq.dat',
  'semiuri.dat',
  'transports.dat',
  'mpart01.dat',
];

/**
 * Every torture message replayed over UDP: valid requests reach the listener; nothing the RFC lists
 * stops the layer from serving the next request. What each invalid message is answered with is the
 * message layer's and the UA's business and is checked in their suites.
 */
describe('SIP transport layer replaying the RFC 4475 torture messages over UDP', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let peer: UdpPeer;
  let port: number;

  before(async function () {
    if (!existsSync(DIR)) {
      console.warn(`    ${DIR} is absent: skipping the RFC 4475 replay`);
      this.skip();
    }
    ({ layer, inbox } = await startLayer([{ protocol: 'udp', host: '127.0.0.1', port: 0 }], {
      limits: {
        maxMessageBytes: 65535,
        maxHeaders: 256,
        maxLineBytes: 8192,
        maxTcpConnections: 10,
        maxConnectionsPerSource: 10,
        tcpIdleTimeoutMs: 30_000,
        tlsHandshakeTimeoutMs: 5000,
        maxTlsHandshakes: 10,
      },
    }));
    peer = await UdpPeer.open();
    port = portOf(layer, 'udp', '127.0.0.1');
  });

  after(async () => {
    await peer?.close();
    await layer?.close();
  });

  const files = existsSync(DIR)
    ? [
        ...new Set([
          ...VALID_REQUESTS,
          ...readdirSync(DIR)
            .filter((f) => f.endsWith('.dat'))
            .sort(),
        ]),
      ]
    : [];
  for (const file of files) {
    it(`${VALID_REQUESTS.includes(file) ? 'hands up' : 'survives'} ${file} and keeps serving`, async () => {
      await peer.send(readFileSync(path.join(DIR, file)), port);
      const probe = `probe-${file}`;
      await peer.send(rawRequest({ callId: probe }), port);
      const before: string[] = [];
      let probed = false;
      for (let i = 0; i < 3 && !probed; i++) {
        const callId = (await inbox.next()).headers.get('call-id') ?? '';
        if (callId === probe) probed = true;
        else before.push(callId);
      }
      assert.ok(probed, 'the probe request after it was handed up');
      if (VALID_REQUESTS.includes(file)) assert.equal(before.length, 1, `${file} reached the listener`);
    });
  }
});
