import assert from 'node:assert/strict';
import { SipRequest } from '../../../../src/sip/message/sip-message';
import { SipTransportError } from '../../../../src/sip/transport/transport-error';
import { portOf, rawRequest, startLayer, TcpPeer, UdpPeer } from './transport-harness';
import { failureOf } from '../../../support/send-outcome';

describe('SIP transport layer lifecycle', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`rejects with SIP.TRANSPORT_BIND naming the ${protocol} address, port and OS error when the port is taken`, async () => {
      const { layer: first } = await startLayer([{ protocol, host: '127.0.0.1', port: 0 }]);
      const port = portOf(first, protocol, '127.0.0.1');
      try {
        const error = await startLayer([{ protocol, host: '127.0.0.1', port }]).then(
          () => assert.fail('the second bind succeeded'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof SipTransportError);
        assert.equal(error.code, 'SIP.TRANSPORT_BIND');
        assert.deepEqual(error.details, { protocol, address: '127.0.0.1', port, osCode: 'EADDRINUSE' });
        assert.match(error.message, new RegExp(`${protocol} 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      } finally {
        await first.close();
      }
    });
  }

  it('releases the sockets it did bind when a later listen spec fails', async () => {
    const { layer: holder } = await startLayer([{ protocol: 'tcp', host: '127.0.0.1', port: 0 }]);
    const taken = portOf(holder, 'tcp', '127.0.0.1');
    const free = await UdpPeer.open();
    const freePort = free.port;
    await free.close();
    try {
      await assert.rejects(
        startLayer([
          { protocol: 'udp', host: '127.0.0.1', port: freePort },
          { protocol: 'tcp', host: '127.0.0.1', port: taken },
        ]),
        (e: unknown) => e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_BIND',
      );
      const { layer } = await startLayer([{ protocol: 'udp', host: '127.0.0.1', port: freePort }]);
      await layer.close();
    } finally {
      await holder.close();
    }
  });

  it('rejects an address that is not local with SIP.TRANSPORT_BIND instead of crashing', async () => {
    await assert.rejects(
      startLayer([{ protocol: 'udp', host: '192.0.2.1', port: 0 }]),
      (e: unknown) =>
        e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_BIND' && e.details.osCode === 'EADDRNOTAVAIL',
    );
  });

  it('tells the bound ports and the sent-by per protocol, advertised host first', async () => {
    const { layer } = await startLayer(
      [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
      { advertisedHost: 'sip.example.net' },
    );
    try {
      const [udp, tcp] = layer.addresses();
      assert.equal(udp?.protocol, 'udp');
      assert.equal(tcp?.protocol, 'tcp');
      assert.ok(udp && udp.port > 0 && tcp && tcp.port > 0);
      assert.deepEqual(layer.viaSentBy('udp'), { host: 'sip.example.net', port: udp.port });
      assert.deepEqual(layer.viaSentBy('tcp'), { host: 'sip.example.net', port: tcp.port });
    } finally {
      await layer.close();
    }
  });

  it('refuses viaSentBy for a protocol it does not listen on', async () => {
    const { layer } = await startLayer([{ protocol: 'udp', host: '127.0.0.1', port: 0 }]);
    try {
      assert.throws(
        () => layer.viaSentBy('tcp'),
        (e: unknown) => e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_UNAVAILABLE',
      );
    } finally {
      await layer.close();
    }
  });

  it('closes its sockets and open connections, then refuses to send', async () => {
    const { layer, inbox } = await startLayer([
      { protocol: 'udp', host: '127.0.0.1', port: 0 },
      { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    ]);
    const udpPort = portOf(layer, 'udp', '127.0.0.1');
    const client = await TcpPeer.connect(portOf(layer, 'tcp', '127.0.0.1'));
    await client.write(rawRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK-close' }));
    const request: SipRequest = await inbox.nextRequest();

    await layer.close();
    await client.waitClosed();
    await layer.close();
    const failure = await failureOf((onFailure) =>
      layer.sendRequest(request, { protocol: 'udp', address: '127.0.0.1', port: 9 }, onFailure),
    );
    assert.ok(failure instanceof SipTransportError && failure.code === 'SIP.TRANSPORT_CLOSED');
    const { layer: again } = await startLayer([{ protocol: 'udp', host: '127.0.0.1', port: udpPort }]);
    await again.close();
  });
});
