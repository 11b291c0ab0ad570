import dgram from 'node:dgram';
import net from 'node:net';

/** A response as the conformance test reads it: enough to match and judge. */
export interface SeenResponse {
  readonly status: number;
  readonly callId: string | null;
  readonly text: string;
}

export function readResponse(data: Buffer): SeenResponse | null {
  const text = data.toString('latin1');
  const m = /^SIP\/2\.0 (\d{3})/.exec(text);
  if (!m) return null;
  const callId = /^(?:call-id|i)[ \t]*:[ \t]*(.+?)\r?$/im.exec(text)?.[1]?.trim() ?? null;
  return { status: Number(m[1]), callId, text };
}

/** The Call-ID a torture message carries (unfolded), or null if it has none we can read. */
export function callIdOf(message: Buffer): string | null {
  const head = message.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return /^(?:call-id|i)[ \t]*:[ \t]*(.+?)[ \t]*$/im.exec(unfolded)?.[1] ?? null;
}

/**
 * Adds `rport` to the top Via (RFC 3581) so the answer to a UDP request comes back to our socket rather
 * than to the example hosts the RFC's messages name. Nothing else changes; bodies and lengths stay.
 */
export function withRport(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const headEnd = text.search(/\r?\n\r?\n/);
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const lines = head.split('\n');
  const first = lines.findIndex((l, i) => i > 0 && /^(via|v)[ \t]*:/i.test(l));
  if (first < 0) return message;
  let last = first;
  while (last + 1 < lines.length && /^[ \t]/.test(lines[last + 1] ?? '')) last++;
  // Insert before the first comma of the value (several Vias in one header) or at the value's end.
  for (let i = first; i <= last; i++) {
    const line = lines[i] ?? '';
    const from = i === first ? line.indexOf(':') + 1 : 0;
    const comma = line.indexOf(',', from);
    if (comma >= 0) {
      lines[i] = line.slice(0, comma) + ';rport' + line.slice(comma);
      return rebuild(lines, text, headEnd);
    }
  }
  const end = lines[last] ?? '';
  lines[last] = end.endsWith('\r') ? end.slice(0, -1) + ';rport\r' : end + ';rport';
  return rebuild(lines, text, headEnd);
}

function rebuild(lines: string[], text: string, headEnd: number): Buffer {
  return Buffer.from(lines.join('\n') + (headEnd < 0 ? '' : text.slice(headEnd)), 'latin1');
}

export class UdpTortureClient {
  private readonly seen: SeenResponse[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data) => {
      const r = readResponse(data);
      if (r) this.seen.push(r);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(): Promise<UdpTortureClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new UdpTortureClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
  }

  /** Waits for a response that satisfies `match`, taking it off the list; null after `ms`. */
  async take(match: (r: SeenResponse) => boolean, ms: number): Promise<SeenResponse | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.seen.findIndex(match);
      if (i >= 0) return this.seen.splice(i, 1)[0] ?? null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Sends one message on a fresh TCP connection and returns the first final response on it, or null after `ms`. */
export async function tcpExchange(data: Buffer, port: number, ms: number): Promise<SeenResponse | null> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => socket.destroy());
  let buffer = Buffer.alloc(0);
  try {
    return await new Promise<SeenResponse | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (const part of buffer.toString('latin1').split(/(?=^SIP\/2\.0 )/m)) {
          const r = readResponse(Buffer.from(part, 'latin1'));
          if (r && r.status >= 200) {
            clearTimeout(timer);
            resolve(r);
            return;
          }
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(null);
      });
      socket.write(data);
    });
  } finally {
    socket.destroy();
  }
}
