import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { StreamFramer, WireMessage } from './wire-message';

export type FuzzTransport = 'udp' | 'tcp';

/**
 * One client socket on loopback that sends bytes exactly as given (mangled ones too) to the server and
 * hands every message the server sends back to `onMessage`: a UDP socket, or one TCP connection (the
 * server sends its own requests on it too, RFC 3261 §18.1.1 connection reuse).
 */
export class WireEndpoint {
  /** Called for every message the server sends to this endpoint. */
  onMessage: (message: WireMessage) => void = () => {};
  private isClosed = false;

  private constructor(
    readonly transport: FuzzTransport,
    readonly serverPort: number,
    private readonly udp: dgram.Socket | null,
    private readonly tcp: net.Socket | null,
  ) {}

  /** `localPort`: the client's own port (default: any free one). */
  static async open(transport: FuzzTransport, serverPort: number, localPort = 0): Promise<WireEndpoint> {
    if (transport === 'udp') {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(localPort, '127.0.0.1', resolve));
      const endpoint = new WireEndpoint('udp', serverPort, socket, null);
      socket.on('message', (data) => {
        const message = WireMessage.read(data);
        if (message) endpoint.onMessage(message);
      });
      return endpoint;
    }
    const socket = net.connect({
      port: serverPort,
      host: '127.0.0.1',
      localAddress: '127.0.0.1',
      ...(localPort ? { localPort } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const endpoint = new WireEndpoint('tcp', serverPort, null, socket);
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      for (const message of framer.push(chunk)) endpoint.onMessage(message);
    });
    // A reset by the server (after a 400 on a broken frame, say) is an outcome, not a failure.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => (endpoint.isClosed = true));
    return endpoint;
  }

  get localPort(): number {
    return this.udp ? this.udp.address().port : (this.tcp?.localPort ?? 0);
  }

  /** Via's transport token. */
  get viaTransport(): 'UDP' | 'TCP' {
    return this.transport === 'udp' ? 'UDP' : 'TCP';
  }

  /** `;transport=tcp` for URIs that must bring the server back over TCP. */
  get uriParam(): string {
    return this.transport === 'tcp' ? ';transport=tcp' : '';
  }

  get closed(): boolean {
    return this.isClosed || (this.tcp?.destroyed ?? false);
  }

  /** Sends `data`; false when the socket is closed or refused it (a reset connection is an outcome). */
  async send(data: Buffer): Promise<boolean> {
    if (this.closed) return false;
    try {
      if (this.udp) {
        await new Promise<void>((resolve, reject) =>
          this.udp!.send(data, this.serverPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
        );
      } else {
        await new Promise<void>((resolve, reject) => this.tcp!.write(data, (err) => (err ? reject(err) : resolve())));
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Writes `data` in `pieces` parts with a pause between them (TCP; one datagram over UDP). */
  async sendChunked(data: Buffer, pieces: number): Promise<void> {
    if (this.udp) return void (await this.send(data));
    const size = Math.max(1, Math.ceil(data.length / pieces));
    for (let at = 0; at < data.length && !this.closed; at += size) {
      await this.send(data.subarray(at, at + size));
      await delay(1);
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.udp) {
      await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
      return;
    }
    const socket = this.tcp!;
    if (socket.destroyed) return;
    const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.destroy();
    await gone;
  }
}
