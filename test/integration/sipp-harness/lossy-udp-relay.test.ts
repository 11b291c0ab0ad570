import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';
import {
  LossyUdpRelay,
  LossyUdpRelayError,
  SeededRandom,
  type LossyUdpRelayOptions,
} from '../../support/lossy-udp-relay';

/** A UDP endpoint on 127.0.0.1 that keeps what it receives, with the sender's port. */
class Endpoint {
  readonly received: { text: string; fromPort: number }[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (msg, from) => this.received.push({ text: msg.toString(), fromPort: from.port }));
  }

  static async open(): Promise<Endpoint> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new Endpoint(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  texts(): string[] {
    return this.received.map((r) => r.text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Polls until `check` holds; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (check()) return;
    await delay(10);
  }
  assert.ok(check(), `timed out after ${ms} ms waiting for ${what}`);
}

/** Datagrams sent before waiting for them: far below a loopback socket's receive buffer. */
const BATCH = 25;

const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => `d${i}`);

describe('LossyUdpRelay: a seeded lossy UDP relay for loss tests', function () {
  this.timeout(20_000);
  const opened: { close(): Promise<void> }[] = [];

  async function endpoint(): Promise<Endpoint> {
    const e = await Endpoint.open();
    opened.push(e);
    return e;
  }

  async function relay(options: Omit<LossyUdpRelayOptions, 'target'>, target: Endpoint): Promise<LossyUdpRelay> {
    const r = await LossyUdpRelay.start({ ...options, target: { host: '127.0.0.1', port: target.port } });
    opened.push(r);
    return r;
  }

  /**
   * Sends `texts` from `peer` through `r` and returns what reached `target`, in arrival order. Sent in
   * small batches, each waited for, so no socket buffer overflows and the only losses are the relay's.
   */
  async function pushThrough(r: LossyUdpRelay, peer: Endpoint, target: Endpoint, texts: string[]): Promise<string[]> {
    const before = r.counts().toTarget.forwarded;
    const arrivedBefore = target.received.length;
    for (let i = 0; i < texts.length; i += BATCH) {
      for (const text of texts.slice(i, i + BATCH)) await peer.send(text, r.port);
      const sent = Math.min(i + BATCH, texts.length);
      await until(() => r.counts().toTarget.received === sent, 'the relay to see every datagram');
      const forwarded = () => r.counts().toTarget.forwarded - before;
      await until(() => target.received.length - arrivedBefore === forwarded(), 'every forwarded datagram');
    }
    return target.texts().slice(arrivedBefore);
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  it('forwards both ways without loss, the target seeing the peer as the socket peerPort() names', async () => {
    const server = await endpoint();
    const client = await endpoint();
    const r = await relay({ seed: 1 }, server);
    const clientAsSeen = await r.peerPort({ host: '127.0.0.1', port: client.port });
    await client.send('REQUEST', r.port);
    await until(() => server.received.length === 1, 'the request at the target');
    assert.deepEqual(server.received[0], { text: 'REQUEST', fromPort: clientAsSeen });

    await server.send('RESPONSE', clientAsSeen);
    await until(() => client.received.length === 1, 'the response at the peer');
    assert.deepEqual(client.received[0], { text: 'RESPONSE', fromPort: r.port }, 'it comes from the relay port');
    assert.deepEqual(r.counts(), {
      toTarget: { received: 1, forwarded: 1, dropped: 0, duplicated: 0, reordered: 0 },
      fromTarget: { received: 1, forwarded: 1, dropped: 0, duplicated: 0, reordered: 0 },
    });
  });

  it('gives each peer its own socket towards the target, and brings each answer back to its peer', async () => {
    const server = await endpoint();
    const [a, b] = [await endpoint(), await endpoint()];
    const r = await relay({ seed: 1 }, server);
    await a.send('from a', r.port);
    await b.send('from b', r.port);
    await until(() => server.received.length === 2, 'both datagrams at the target');
    const portOf = (text: string) => server.received.find((m) => m.text === text)!.fromPort;
    assert.notEqual(portOf('from a'), portOf('from b'));
    assert.equal(portOf('from a'), await r.peerPort({ host: '127.0.0.1', port: a.port }));

    await server.send('to a', portOf('from a'));
    await server.send('to b', portOf('from b'));
    await until(() => a.received.length === 1 && b.received.length === 1, 'each answer at its peer');
    assert.deepEqual([a.texts(), b.texts()], [['to a'], ['to b']]);
  });

  it('drops the configured share, the same datagrams for the same seed and others for another seed', async () => {
    const texts = numbered(1000);
    const run = async (seed: number): Promise<{ passed: string[]; dropped: number }> => {
      const server = await endpoint();
      const client = await endpoint();
      const r = await relay({ seed, toTarget: { lossPercent: 20 } }, server);
      const passed = await pushThrough(r, client, server, texts);
      return { passed, dropped: r.counts().toTarget.dropped };
    };
    const first = await run(42);
    const again = await run(42);
    const other = await run(43);

    assert.equal(first.passed.length + first.dropped, texts.length);
    assert.ok(first.dropped > 150 && first.dropped < 250, `about 20 % dropped: ${first.dropped}`);
    assert.deepEqual(again.passed, first.passed, 'the same seed drops the same datagrams');
    assert.notDeepEqual(other.passed, first.passed, 'another seed drops others');
    assert.deepEqual(
      first.passed,
      texts.filter((t) => first.passed.includes(t)),
      'no reordering unless asked',
    );
  });

  it('impairs each direction on its own: loss towards the target only leaves the way back whole', async () => {
    const server = await endpoint();
    const client = await endpoint();
    const r = await relay({ seed: 7, toTarget: { lossPercent: 100 } }, server);
    const clientAsSeen = await r.peerPort({ host: '127.0.0.1', port: client.port });
    for (const text of numbered(20)) await server.send(text, clientAsSeen);
    await client.send('lost', r.port);
    await until(() => client.received.length === 20 && r.counts().toTarget.dropped === 1, 'the way back');
    assert.equal(server.received.length, 0);
  });

  it('sends duplicates and lets held datagrams be overtaken, delivering every one', async () => {
    const server = await endpoint();
    const client = await endpoint();
    const r = await relay({ seed: 5, toTarget: { duplicatePercent: 100 } }, server);
    const texts = numbered(50);
    const passed = await pushThrough(r, client, server, texts);
    assert.equal(passed.length, 100);
    assert.deepEqual([...new Set(passed)].sort(), [...texts].sort());
    assert.equal(r.counts().toTarget.duplicated, 50);

    const server2 = await endpoint();
    const r2 = await relay({ seed: 5, toTarget: { reorderPercent: 30, delayMs: 30 } }, server2);
    const reordered = await pushThrough(r2, client, server2, texts);
    assert.deepEqual([...reordered].sort(), [...texts].sort(), 'every datagram arrives once');
    assert.notDeepEqual(reordered, texts, 'some arrive after later ones');
    assert.ok(r2.counts().toTarget.reordered > 0);
  });

  it('draws the same sequence from the same seed', () => {
    const a = new SeededRandom(99);
    const b = new SeededRandom(99);
    const draws = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      Array.from({ length: 5 }, () => b.next()),
      draws,
    );
    assert.ok(draws.every((d) => d >= 0 && d < 1));
  });

  it('refuses a target off loopback and impossible percentages', async () => {
    await assert.rejects(
      LossyUdpRelay.start({ seed: 1, target: { host: '192.0.2.1', port: 5060 } }),
      (err: unknown) => err instanceof LossyUdpRelayError && err.code === 'RELAY.NOT_LOOPBACK',
    );
    await assert.rejects(
      LossyUdpRelay.start({ seed: 1, target: { host: '127.0.0.1', port: 5060 }, toTarget: { lossPercent: 120 } }),
      (err: unknown) => err instanceof LossyUdpRelayError && err.code === 'RELAY.INVALID_OPTIONS',
    );
  });
});
