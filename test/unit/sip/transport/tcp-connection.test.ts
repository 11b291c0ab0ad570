import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { silentLogger } from '../../../../src/observability/logger';
import type { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { TcpConnection } from '../../../../src/sip/transport/tcp-connection';
import { FakeClock } from '../../../support/fake-clock';

/** Just enough of a net.Socket for a TcpConnection: records writes, close on destroy. */
class FakeSocket extends EventEmitter {
  readonly remoteAddress = '::ffff:192.0.2.5';
  readonly remotePort = 40000;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 5060;
  destroyed = false;
  writable = true;
  writableLength = 0;
  written: string[] = [];
  ended = false;
  /** What write() returns, to play a peer that does not read. */
  acceptWrites = true;

  setNoDelay(): this {
    return this;
  }

  write(data: Buffer): boolean {
    this.written.push(data.toString());
    if (!this.acceptWrites) this.writableLength += data.length;
    return this.acceptWrites;
  }

  end(callback?: () => void): this {
    this.ended = true;
    this.writable = false;
    callback?.();
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.writable = false;
    this.emit('close');
    return this;
  }

  feed(text: string): void {
    this.emit('data', Buffer.from(text));
  }
}

const limits = { maxMessageBytes: 2048, maxHeaders: 64, maxLineBytes: 512 };
const IDLE_MS = 1000;

function message(callId: string, body = ''): string {
  return (
    `OPTIONS sip:as@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.5;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\n` +
    `CSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function open(opts: { maxWriteBufferBytes?: number } = {}) {
  const socket = new FakeSocket();
  const clock = new FakeClock();
  const frames: string[] = [];
  const errors: SipParseError[] = [];
  let closed = 0;
  const connection = new TcpConnection(socket as unknown as Socket, {
    id: 'tcp-1',
    inbound: true,
    limits,
    idleTimeoutMs: IDLE_MS,
    maxWriteBufferBytes: opts.maxWriteBufferBytes ?? 1 << 20,
    clock,
    logger: silentLogger(),
    receiver: {
      onStreamMessage: (frame) => frames.push(frame.toString()),
      onStreamError: (error) => errors.push(error),
    },
    onClosed: () => closed++,
  });
  return { socket, clock, frames, errors, connection, closedCount: () => closed };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TcpConnection', () => {
  it('describes its peer with the IPv4 address unmapped and its connection id', () => {
    const { connection } = open();
    assert.deepEqual(connection.source, {
      protocol: 'tcp',
      address: '192.0.2.5',
      port: 40000,
      localAddress: '127.0.0.1',
      localPort: 5060,
      connectionId: 'tcp-1',
    });
    assert.equal(connection.key, '192.0.2.5|40000');
  });

  it('hands up each message of a chunk and the one that completes over later chunks', async () => {
    const { socket, frames } = open();
    const a = message('a', 'first');
    const b = message('b', 'second');
    socket.feed(a + b.slice(0, 30));
    assert.deepEqual(frames, [a]);
    socket.feed(b.slice(30, 90));
    socket.feed(b.slice(90));
    await nextTurn();
    assert.deepEqual(frames, [a, b]);
  });

  it('hands up each message of a chunk after the promise work the one before it set off, as for datagrams', async () => {
    const socket = new FakeSocket();
    const seen: string[] = [];
    let state = 'initial';
    new TcpConnection(socket as unknown as Socket, {
      id: 'tcp-1',
      inbound: true,
      limits,
      idleTimeoutMs: IDLE_MS,
      maxWriteBufferBytes: 1 << 20,
      clock: new FakeClock(),
      logger: silentLogger(),
      receiver: {
        onStreamMessage: (frame) => {
          const callId = /Call-ID: (\w+)/.exec(frame.toString())?.[1] ?? '';
          seen.push(`${callId} sees ${state}`);
          // The first message's effect lands after a chain of promise steps, as a 200 to an UPDATE's does.
          if (callId === 'a')
            void Promise.resolve()
              .then(() => Promise.resolve())
              .then(() => (state = 'moved'));
        },
        onStreamError: () => undefined,
      },
      onClosed: () => undefined,
    });
    socket.feed(message('a') + message('b') + message('c'));
    assert.deepEqual(seen, ['a sees initial']);
    await nextTurn();
    assert.deepEqual(seen, ['a sees initial', 'b sees moved', 'c sees moved']);
  });

  it('hands up every message of a chunk within one turn of the event loop, however many it holds', async () => {
    const { socket, frames } = open();
    const chunk = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => message(id));
    socket.feed(chunk.join(''));
    await nextTurn();
    assert.deepEqual(frames, chunk);
  });

  it('reports lost framing after the messages before it, then ends the connection', async () => {
    const { socket, frames, errors, connection } = open();
    const [a, b] = [message('a'), message('b')];
    socket.feed(a + b + 'OPTIONS sip:as@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n');
    socket.feed(message('late'));
    assert.deepEqual(frames, [a]);
    assert.equal(errors.length, 0);
    await nextTurn();
    assert.deepEqual(frames, [a, b]);
    assert.equal(errors.length, 1);
    assert.equal(connection.closeReason, 'framing');
  });

  it('keeps the order of a chunk that arrives while earlier messages still wait their turn', async () => {
    const { socket, frames } = open();
    const [a, b, c] = [message('a'), message('b'), message('c')];
    socket.feed(a + b);
    socket.feed(c);
    assert.deepEqual(frames, [a]);
    await nextTurn();
    assert.deepEqual(frames, [a, b, c]);
  });

  it('still hands up the waiting messages of a chunk when the peer closes before their turn', () => {
    const { socket, frames, closedCount } = open();
    const [a, b] = [message('a'), message('b')];
    socket.feed(a + b);
    socket.destroy();
    assert.deepEqual(frames, [a, b]);
    assert.equal(closedCount(), 1);
  });

  it('drops the waiting messages when the connection is closed on our side', async () => {
    const { socket, frames, connection } = open();
    const [a, b] = [message('a'), message('b')];
    socket.feed(a + b);
    connection.destroy('shutdown');
    await nextTurn();
    assert.deepEqual(frames, [a]);
  });

  it('answers a double CRLF ping split over two chunks with one CRLF pong', () => {
    const { socket } = open();
    socket.feed('\r\n');
    assert.deepEqual(socket.written, []);
    socket.feed('\r\n');
    assert.deepEqual(socket.written, ['\r\n']);
  });

  it('reports lost framing to the receiver, then ends the connection and ignores what follows', () => {
    const { socket, frames, errors, connection } = open();
    socket.feed('OPTIONS sip:as@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nCall-ID: x\r\n\r\n');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.status, 400);
    assert.equal(socket.ended, true);
    assert.equal(connection.closeReason, 'framing');
    socket.feed(message('late'));
    assert.deepEqual(frames, []);
  });

  it('closes after the idle timeout when nothing moves', () => {
    const { socket, clock, closedCount, connection } = open();
    clock.advance(IDLE_MS - 1);
    assert.equal(socket.destroyed, false);
    clock.advance(1);
    assert.equal(socket.destroyed, true);
    assert.equal(connection.closeReason, 'idle');
    assert.equal(closedCount(), 1);
  });

  it('counts traffic in either direction as activity that postpones the idle close', () => {
    const { socket, clock, connection } = open();
    clock.advance(600);
    socket.feed('\r\n');
    clock.advance(600);
    assert.equal(socket.destroyed, false, 'received bytes postponed the close');
    connection.write(Buffer.from('x'));
    clock.advance(900);
    assert.equal(socket.destroyed, false, 'sent bytes postponed the close');
    clock.advance(100);
    assert.equal(socket.destroyed, true);
  });

  it('drops a peer that lets more than the cap pile up unsent', () => {
    const { socket, connection } = open({ maxWriteBufferBytes: 10 });
    socket.acceptWrites = false;
    assert.equal(connection.write(Buffer.from('12345')), true);
    assert.equal(connection.write(Buffer.from('67890a')), false);
    assert.equal(socket.destroyed, true);
    assert.equal(connection.closeReason, 'backpressure');
    assert.equal(connection.write(Buffer.from('more')), false);
  });

  it('cuts off a closing connection whose peer does not take the last bytes', () => {
    const { socket, clock, connection } = open();
    socket.end = () => socket; // the flush never completes
    connection.end('framing');
    assert.equal(socket.destroyed, false);
    clock.advance(IDLE_MS);
    assert.equal(socket.destroyed, true);
  });
});
