import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Raw SIP over loopback sockets for the mutation test: sends bytes as they are (SIPp cannot send a
 * malformed message) and reads back just enough of each response to count and match it.
 */

export interface SeenResponse {
  status: number;
  callId: string;
  cseq: string;
}

/** The responses in `text` (one datagram, or what a stream has delivered so far). */
export function readResponses(text: string): SeenResponse[] {
  const out: SeenResponse[] = [];
  for (const part of text.split(/(?=^SIP\/2\.0 \d{3} )/m)) {
    const status = /^SIP\/2\.0 (\d{3}) /.exec(part)?.[1];
    if (status === undefined) continue;
    const header = (re: RegExp) => re.exec(part)?.[1]?.trim() ?? '';
    out.push({
      status: Number(status),
      callId: header(/^(?:call-id|i)[ \t]*:(.*?)\r?$/im),
      cseq: header(/^cseq[ \t]*:(.*?)\r?$/im),
    });
  }
  return out;
}

/**
 * Distinct responses by status class: a response counts once per Call-ID, CSeq and status, so the
 * server's retransmissions (of a 486 not acknowledged, say) do not inflate the numbers.
 */
export class ResponseTally {
  private readonly seen = new Set<string>();
  readonly byClass: Record<string, number> = {};
  readonly byStatus: Record<number, number> = {};
  private readonly waiters = new Map<string, (r: SeenResponse) => void>();

  add(response: SeenResponse): void {
    const final = response.status >= 200;
    if (final) this.waiters.get(response.callId)?.(response);
    const key = `${response.callId}\u0000${response.cseq}\u0000${response.status}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const cls = `${Math.floor(response.status / 100)}xx`;
    this.byClass[cls] = (this.byClass[cls] ?? 0) + 1;
    this.byStatus[response.status] = (this.byStatus[response.status] ?? 0) + 1;
  }

  /** Distinct final responses seen so far. */
  get finals(): number {
    return Object.entries(this.byClass)
      .filter(([cls]) => cls !== '1xx')
      .reduce((sum, [, n]) => sum + n, 0);
  }

  /** The first final response with this Call-ID to arrive within `timeoutMs`, or null. */
  async finalFor(callId: string, timeoutMs: number): Promise<SeenResponse | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<SeenResponse | null>((resolve) => {
        this.waiters.set(callId, resolve);
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      this.waiters.delete(callId);
    }
  }
}

export class UdpSipClient {
  private constructor(
    private readonly socket: dgram.Socket,
    readonly tally: ResponseTally,
  ) {
    socket.on('message', (data) => {
      for (const r of readResponses(data.toString('latin1'))) tally.add(r);
    });
  }

  static async open(tally: ResponseTally): Promise<UdpSipClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new UdpSipClient(socket, tally);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** How a TCP session delivers its messages: whole, in small chunks, or a prefix and then gone. */
export type TcpMode = 'whole' | 'chunked' | 'abandoned';

export interface TcpSessionInit {
  port: number;
  messages: Buffer[];
  mode: TcpMode;
  tally: ResponseTally;
  /** How long to wait for the answers before closing (the connection may close first). */
  waitMs: number;
  /** For 'abandoned': how many bytes of the first message to send before destroying the socket. */
  abandonAfter?: number;
}

/** One client connection: connect, send, wait up to `waitMs` for an answer per message, destroy. */
export async function tcpSession(init: TcpSessionInit): Promise<void> {
  const socket = net.connect({ port: init.port, host: '127.0.0.1' });
  let received = '';
  let answers = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // A reset by the server (after a 513, say) is an outcome here, not a test failure.
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    // Only what ends in a blank line is a whole response (ours carry no body); the tally ignores repeats.
    const complete = readResponses(received.slice(0, received.lastIndexOf('\r\n\r\n') + 4));
    for (const r of complete) init.tally.add(r);
    answers = complete.filter((r) => r.status >= 200).length;
  });
  try {
    const connected = await Promise.race([
      new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true))),
      closed.then(() => false),
    ]);
    if (!connected) return;
    if (init.mode === 'abandoned') {
      const first = init.messages[0] ?? Buffer.alloc(0);
      socket.write(first.subarray(0, init.abandonAfter ?? Math.floor(first.length / 2)));
      await delay(1);
      return;
    }
    for (const message of init.messages) {
      if (init.mode === 'whole') socket.write(message);
      else await writeChunked(socket, message);
    }
    const deadline = Date.now() + init.waitMs;
    const polls = Math.ceil(init.waitMs / 10);
    for (let i = 0; i < polls && Date.now() < deadline; i++) {
      if (answers >= init.messages.length || socket.destroyed) break;
      await delay(10);
    }
  } finally {
    socket.destroy();
  }
}

async function writeChunked(socket: net.Socket, message: Buffer): Promise<void> {
  const size = Math.max(1, Math.ceil(message.length / 4));
  for (let at = 0; at < message.length && !socket.destroyed; at += size) {
    socket.write(message.subarray(at, at + size));
    await delay(1);
  }
}
