import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../clock';
import type { Logger } from '../../observability/logger';
import { scanFrame } from '../message/frame-scanner';
import type { ParseLimits } from '../message/parse-limits';
import type { SipParseError } from '../message/sip-parse-error';
import type { MessageSource } from '../message/sip-message';
import { endpointKey, unmapIpv4 } from './ip-address';

/** What a TCP connection hands up: whole messages as framed by Content-Length (RFC 3261 §18.3). */
export interface StreamReceiver {
  onStreamMessage(frame: Buffer, connection: TcpConnection): void;
  /** The framing is lost; the receiver may answer on the connection, which is closed right after. */
  onStreamError(error: SipParseError, connection: TcpConnection): void;
}

export interface TcpConnectionOptions {
  readonly id: string;
  /** 'tls' for a TLS socket (a net.Socket subclass framed the same way); default 'tcp'. */
  readonly protocol?: 'tcp' | 'tls';
  readonly inbound: boolean;
  readonly limits: ParseLimits;
  readonly idleTimeoutMs: number;
  /** Bytes queued in the socket past which a peer that does not read is dropped. */
  readonly maxWriteBufferBytes: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly receiver: StreamReceiver;
  readonly onClosed: (connection: TcpConnection) => void;
}

export type CloseReason = 'idle' | 'framing' | 'backpressure' | 'peer' | 'error' | 'shutdown';

const CRLF = Buffer.from('\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);
/** RFC 5626 §3.5.1: a ping is a double CRLF. */
const PING_BYTES = 4;
const MIN_BUFFER = 4096;
/** How long a closing connection may take to flush its last bytes. */
const MAX_LINGER_MS = 5000;

/**
 * One TCP connection: frames the byte stream (pipelined messages, messages split over reads, CRLF
 * keep-alives answered with a CRLF pong), closes itself when idle, when its framing is lost or when
 * its peer stops reading.
 */
export class TcpConnection {
  readonly id: string;
  readonly inbound: boolean;
  readonly key: string;
  readonly source: MessageSource;
  closeReason: CloseReason | undefined;
  private buf: Buffer = EMPTY;
  private pendingStart = 0;
  private pendingEnd = 0;
  private crlfRun = 0;
  /**
   * What was framed but not yet handed up, oldest first: each waits for an immediate of its own. A lost
   * framing is queued behind the messages before it and ends the connection when its turn comes.
   */
  private readonly waiting: (Buffer | SipParseError)[] = [];
  private framingLost = false;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: TcpConnectionOptions,
  ) {
    this.id = opts.id;
    this.inbound = opts.inbound;
    const address = unmapIpv4(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    this.key = endpointKey(address, port);
    this.source = {
      protocol: opts.protocol ?? 'tcp',
      address,
      port,
      localAddress: unmapIpv4(socket.localAddress ?? ''),
      localPort: socket.localPort ?? 0,
      connectionId: opts.id,
    };
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.lastActivity = opts.clock.now();
    this.idleTimer = opts.clock.setTimeout(this.onIdleCheck, opts.idleTimeoutMs);
  }

  get open(): boolean {
    return this.closeReason === undefined && !this.socket.destroyed && this.socket.writable;
  }

  /** Queues bytes; false when the connection can no longer send. Drops a peer that stops reading. */
  write(data: Buffer): boolean {
    if (!this.open) return false;
    this.lastActivity = this.opts.clock.now();
    if (!this.socket.write(data) && this.socket.writableLength > this.opts.maxWriteBufferBytes) {
      this.opts.logger.warn('tcp peer not reading, connection dropped', {
        connectionId: this.id,
        queued: this.socket.writableLength,
      });
      this.destroy('backpressure');
      return false;
    }
    return true;
  }

  /** Sends what is queued, then closes; a peer that does not take the bytes within the linger time is cut off. */
  end(reason: CloseReason): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.stopIdleTimer();
    this.idleTimer = this.opts.clock.setTimeout(this.onLingerTimeout, Math.min(this.opts.idleTimeoutMs, MAX_LINGER_MS));
    this.socket.end(() => this.socket.destroy());
  }

  destroy(reason: CloseReason): void {
    if (this.closeReason === undefined) this.closeReason = reason;
    this.stopIdleTimer();
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closeReason !== undefined || this.framingLost) return;
    this.lastActivity = this.opts.clock.now();
    if (this.pendingEnd === this.pendingStart) this.drain(chunk, 0, chunk.length, true);
    else {
      this.append(chunk);
      this.drain(this.buf, this.pendingStart, this.pendingEnd, false);
    }
  };

  /**
   * Takes every complete frame from data[offset, end). Frames handed up are views of `data`; so
   * leftover bytes are copied to a fresh buffer and a buffer that gave frames away is never written again.
   *
   * The first message goes up at once; each one after it gets a setImmediate of its own, all queued now
   * and so all run in this turn of the event loop, with the microtasks drained between them, as Node does
   * between datagrams. The work a message sets off in promises (a 200 to an UPDATE moving what the
   * caller hears) is thus done before the next message of the same chunk is read (a copy request).
   */
  private drain(data: Buffer, offset: number, end: number, fresh: boolean): void {
    const view = end === data.length ? data : data.subarray(0, end);
    let direct = this.waiting.length === 0;
    let at = offset;
    for (;;) {
      const scan = scanFrame(view, at, this.opts.limits);
      if (scan.kind === 'need-more') break;
      if (scan.kind === 'error') {
        this.framingLost = true;
        if (direct) this.loseFraming(scan.error);
        else this.queue(scan.error);
        return;
      }
      if (scan.kind === 'keepalive') this.onKeepAlive(scan.length);
      else {
        this.crlfRun = 0;
        const frame = view.subarray(at, at + scan.length);
        if (direct) {
          direct = false;
          this.opts.receiver.onStreamMessage(frame, this);
        } else {
          this.queue(frame);
        }
      }
      at += scan.length;
      if (this.closeReason !== undefined) return;
    }
    if (at === end) {
      this.buf = EMPTY;
      this.pendingStart = this.pendingEnd = 0;
    } else if (fresh || at > offset) {
      this.keep(view.subarray(at, end));
    } else {
      this.pendingStart = at;
    }
  }

  private queue(item: Buffer | SipParseError): void {
    this.waiting.push(item);
    setImmediate(this.handUpNext);
  }

  private readonly handUpNext = (): void => {
    const item = this.waiting.shift();
    if (item === undefined || this.closeReason !== undefined) return;
    this.handUp(item);
  };

  private handUp(item: Buffer | SipParseError): void {
    if (Buffer.isBuffer(item)) this.opts.receiver.onStreamMessage(item, this);
    else this.loseFraming(item);
  }

  private loseFraming(error: SipParseError): void {
    this.opts.receiver.onStreamError(error, this);
    this.end('framing');
  }

  /** Leftover bytes of a message still arriving, in a buffer with room to grow. */
  private keep(rest: Buffer): void {
    const next = Buffer.allocUnsafe(Math.max(MIN_BUFFER, rest.length * 2));
    rest.copy(next, 0);
    this.buf = next;
    this.pendingStart = 0;
    this.pendingEnd = rest.length;
  }

  private append(chunk: Buffer): void {
    if (this.pendingEnd + chunk.length > this.buf.length) {
      const pending = this.pendingEnd - this.pendingStart;
      const next = Buffer.allocUnsafe(Math.max(MIN_BUFFER, (pending + chunk.length) * 2));
      this.buf.copy(next, 0, this.pendingStart, this.pendingEnd);
      this.buf = next;
      this.pendingStart = 0;
      this.pendingEnd = pending;
    }
    chunk.copy(this.buf, this.pendingEnd);
    this.pendingEnd += chunk.length;
  }

  /** RFC 5626 §3.5.1: answer each double-CRLF ping with a single CRLF pong; lone CRLFs are pongs. */
  private onKeepAlive(length: number): void {
    this.crlfRun += length;
    if (this.crlfRun >= PING_BYTES) {
      this.crlfRun = 0;
      this.write(CRLF);
    }
  }

  /** Fires when the connection may have gone idle; re-arms for the rest of the period if it has not. */
  private readonly onIdleCheck = (): void => {
    this.idleTimer = undefined;
    if (this.closeReason !== undefined) return;
    const idleFor = this.opts.clock.now() - this.lastActivity;
    if (idleFor >= this.opts.idleTimeoutMs) {
      this.opts.logger.debug('tcp connection idle, closed', { connectionId: this.id, idleFor });
      this.destroy('idle');
      return;
    }
    this.idleTimer = this.opts.clock.setTimeout(this.onIdleCheck, this.opts.idleTimeoutMs - idleFor);
  };

  private readonly onLingerTimeout = (): void => {
    this.idleTimer = undefined;
    this.socket.destroy();
  };

  private stopIdleTimer(): void {
    if (this.idleTimer === undefined) return;
    this.opts.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private readonly onError = (error: Error): void => {
    this.opts.logger.debug('tcp connection error', { connectionId: this.id, error: error.message });
    if (this.closeReason === undefined) this.closeReason = 'error';
  };

  private readonly onClose = (): void => {
    // Messages that arrived before the peer's FIN still count (an ACK, a BYE); after an error or our own close they do not.
    while (this.closeReason === undefined) {
      const item = this.waiting.shift();
      if (item === undefined) break;
      this.handUp(item);
    }
    this.waiting.length = 0;
    if (this.closeReason === undefined) this.closeReason = 'peer';
    this.stopIdleTimer();
    this.buf = EMPTY;
    this.opts.onClosed(this);
  };
}
