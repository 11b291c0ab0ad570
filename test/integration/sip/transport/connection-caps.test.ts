import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../../src/observability/logger';
import { Metrics } from '../../../../src/observability/metrics';
import type { SipTransportLayer } from '../../../../src/sip/transport/transport-layer';
import { type Inbox, portOf, rawRequest, startLayer, TcpPeer, testLimits, until } from './transport-harness';

const via = (n: number): string => `SIP/2.0/TCP client.invalid:5099;branch=z9hG4bK-cap-${n}`;
const OTHER_SOURCE = '127.0.0.2';

describe('inbound connection caps per source address (sip.limits.maxConnectionsPerSource)', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let port: number;
  const lines: string[] = [];
  const clients: TcpPeer[] = [];

  async function client(localAddress?: string): Promise<TcpPeer> {
    const c = await TcpPeer.connect(port, '127.0.0.1', localAddress);
    clients.push(c);
    return c;
  }

  /** Sends a request on `c` and waits for the layer to hand it up: the connection was accepted. */
  async function accepted(c: TcpPeer, n: number): Promise<string | undefined> {
    await c.write(rawRequest({ callId: `cap-${n}`, via: via(n) }));
    const request = await inbox.nextRequest();
    assert.equal(request.callId, `cap-${n}`);
    return request.source?.address;
  }

  function refusedPerSource(): number {
    const row = layer.stats().refusedConnections.find((r) => r.protocol === 'tcp' && r.reason === 'per-source');
    return row?.count ?? 0;
  }

  beforeEach(async () => {
    lines.length = 0;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      ),
    );
    ({ layer, inbox } = await startLayer([{ protocol: 'tcp', host: '127.0.0.1', port: 0 }], {
      limits: { ...testLimits, maxConnectionsPerSource: 2 },
      logger: createLogger({ level: 'debug' }, stream),
    }));
    port = portOf(layer, 'tcp', '127.0.0.1');
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await layer.close();
  });

  it('refuses a third connection from one address, takes one from another, and one again once a slot frees', async () => {
    const first = await client();
    await accepted(first, 1);
    await accepted(await client(), 2);

    await TcpPeer.refused(port);
    assert.equal(refusedPerSource(), 1);
    assert.equal(layer.stats().tcpRefused, 1);

    assert.equal(await accepted(await client(OTHER_SOURCE), 3), OTHER_SOURCE, 'another address has its own slots');

    first.destroy();
    await until(() => layer.stats().tcpConnections === 2, 'the layer to see the first connection close');
    assert.equal(await accepted(await client(), 4), '127.0.0.1');
    assert.equal(refusedPerSource(), 1);
  });

  it('exposes the refusals as a metric, by protocol and reason', async () => {
    await accepted(await client(), 1);
    await accepted(await client(), 2);
    await TcpPeer.refused(port);
    const metrics = new Metrics({
      activeCalls: () => 0,
      outbox: () => Promise.resolve({ depth: 0, oldestCreatedAt: null, deadLetters: 0 }),
      now: () => Date.now(),
      transport: () => layer.stats(),
    });
    const text = await metrics.registry.metrics();
    assert.match(text, /^cmr_sip_connections_refused\{protocol="tcp",reason="per-source"\} 1$/m);
    assert.match(text, /^cmr_sip_connections_refused\{protocol="tcp",reason="total"\} 0$/m);
  });

  it('counts every refused connection but logs them at most once per interval, whatever the flood', async () => {
    await accepted(await client(), 1);
    await accepted(await client(), 2);
    const flood = 25;
    for (let i = 0; i < flood; i++) await TcpPeer.refused(port);
    assert.equal(refusedPerSource(), flood);
    const about = lines.filter((line) => line.includes('refused'));
    assert.equal(about.length, 1, `one line for ${flood} refusals, got ${about.length}`);
    const line = JSON.parse(about[0] ?? '{}') as Record<string, unknown>;
    assert.equal(line.level, 'warn');
    assert.equal(line.reason, 'per-source');
    assert.equal(line.remote, '127.0.0.1');
  });

  it('has no cap when maxConnectionsPerSource is 0', async () => {
    await layer.close();
    ({ layer, inbox } = await startLayer([{ protocol: 'tcp', host: '127.0.0.1', port: 0 }], {
      limits: { ...testLimits, maxConnectionsPerSource: 0, maxTcpConnections: 100 },
    }));
    port = portOf(layer, 'tcp', '127.0.0.1');
    for (let n = 1; n <= 5; n++) await accepted(await client(), n);
    assert.equal(layer.stats().tcpRefused, 0);
  });
});
