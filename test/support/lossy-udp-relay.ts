import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isLoopback } from './sipp/free-port';

/**
 * A lossy UDP relay on loopback, for loss tests: netem is not available on these machines, so the
 * loss is made here, between two SIP parties, with a seeded PRNG. The relay stands for `target`: a
 * peer sends to the relay's `port`; the relay forwards each datagram to `target` from a socket of
 * its own for that peer (one upstream socket per downstream source address), so the target's answers
 * come back to that socket and are forwarded to the peer from `port`. To the target, each peer is the
 * relay's socket for it, so a SIP peer behind the relay must advertise that socket in its Via and
 * Contact (`peerPort()`): then responses (RFC 3261 §18.2.2) and in-dialog requests cross the relay too.
 *
 * Each direction has its own PRNG stream (derived from the seed), so the n-th datagram towards the
 * target meets the same fate in every run with the same seed, whatever happens the other way.
 */

export interface UdpAddress {
  readonly host: string;
  readonly port: number;
}

/** What the relay does to the datagrams of one direction. Percentages in [0, 100]. */
export interface LinkImpairment {
  /** Share of datagrams dropped. */
  readonly lossPercent?: number;
  /** Share of the datagrams let through that are sent twice (the copy after `delayMs`, or at once). */
  readonly duplicatePercent?: number;
  /** Share of the datagrams let through that are held back `delayMs`, so later ones overtake them. */
  readonly reorderPercent?: number;
  /** How long a reordered datagram (or a duplicate's copy) is held. Default 20 ms. */
  readonly delayMs?: number;
}

export interface LossyUdpRelayOptions {
  /** The party behind the relay. Must be on loopback. */
  readonly target: UdpAddress;
  /** The seed of the drop, duplicate and reorder decisions. */
  readonly seed: number;
  /** Datagrams from the peers to the target. */
  readonly toTarget?: LinkImpairment;
  /** Datagrams from the target back to the peers. */
  readonly fromTarget?: LinkImpairment;
  /** Where the relay listens; default 127.0.0.1, port chosen by the kernel. */
  readonly host?: string;
  readonly port?: number;
}

export interface DirectionCounts {
  /** Datagrams that reached the relay in this direction. */
  received: number;
  /** Datagrams sent on (duplicates counted once more each). */
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
}

export interface RelayCounts {
  readonly toTarget: DirectionCounts;
  readonly fromTarget: DirectionCounts;
}

const DEFAULT_DELAY_MS = 20;
/** A second, independent stream for the way back (the 32-bit golden ratio). */
const FROM_TARGET_SEED_SALT = 0x9e3779b9;

export class LossyUdpRelayError extends Error {
  constructor(
    readonly code: 'RELAY.NOT_LOOPBACK' | 'RELAY.INVALID_OPTIONS' | 'RELAY.CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'LossyUdpRelayError';
  }
}

export class LossyUdpRelay {
  private readonly upstream = new Map<string, Promise<Socket>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly toTargetLink: ImpairedLink;
  private readonly fromTargetLink: ImpairedLink;
  private closed = false;

  private constructor(
    private readonly front: Socket,
    private readonly options: LossyUdpRelayOptions,
  ) {
    this.toTargetLink = new ImpairedLink(options.toTarget ?? {}, new SeededRandom(options.seed));
    this.fromTargetLink = new ImpairedLink(
      options.fromTarget ?? {},
      new SeededRandom((options.seed ^ FROM_TARGET_SEED_SALT) >>> 0),
    );
    front.on('message', (datagram, from) => void this.fromPeer(datagram, from));
  }

  static async start(options: LossyUdpRelayOptions): Promise<LossyUdpRelay> {
    validate(options);
    const front = await bindUdp(options.host ?? '127.0.0.1', options.port ?? 0);
    return new LossyUdpRelay(front, options);
  }

  /** The relay's own port: where peers send what is meant for the target. */
  get port(): number {
    return this.front.address().port;
  }

  get host(): string {
    return this.front.address().address;
  }

  get target(): UdpAddress {
    return this.options.target;
  }

  /**
   * The port of the relay's socket for `peer`, opened now if it is not yet: the address the target
   * knows `peer` by. A SIP peer advertises it (Via sent-by, Contact) before it sends anything.
   */
  async peerPort(peer: UdpAddress): Promise<number> {
    return (await this.socketFor(peer)).address().port;
  }

  /** What the relay has seen and done so far in each direction. */
  counts(): RelayCounts {
    return { toTarget: { ...this.toTargetLink.counts }, fromTarget: { ...this.fromTargetLink.counts } };
  }

  /** Closes every socket; datagrams held for reordering are dropped uncounted. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const sockets = [this.front, ...(await Promise.all(this.upstream.values()))];
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private async fromPeer(datagram: Buffer, from: RemoteInfo): Promise<void> {
    if (this.closed) return;
    const socket = await this.socketFor({ host: from.address, port: from.port });
    this.pass(this.toTargetLink, datagram, (d) => socket.send(d, this.options.target.port, this.options.target.host));
  }

  private socketFor(peer: UdpAddress): Promise<Socket> {
    if (this.closed) return Promise.reject(new LossyUdpRelayError('RELAY.CLOSED', 'the relay is closed'));
    const key = `${peer.host}:${peer.port}`;
    let socket = this.upstream.get(key);
    if (!socket) {
      socket = bindUdp(this.options.host ?? '127.0.0.1', 0).then((s) => {
        // Anything reaching this socket is for `peer`: the target's answers and its own requests.
        s.on('message', (datagram) => {
          if (this.closed) return;
          this.pass(this.fromTargetLink, datagram, (d) => this.front.send(d, peer.port, peer.host));
        });
        return s;
      });
      this.upstream.set(key, socket);
    }
    return socket;
  }

  /** Decides one datagram's fate on `link` and sends it (or its copies) with `send`. */
  private pass(link: ImpairedLink, datagram: Buffer, send: (d: Buffer) => void): void {
    const fate = link.decide();
    if (fate.drop) return;
    const sendNow = (): void => {
      if (!this.closed) send(datagram);
    };
    if (fate.hold) this.later(link.delayMs, sendNow);
    else sendNow();
    if (fate.duplicate) this.later(fate.hold ? link.delayMs : 0, sendNow);
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }
}

/** One direction: its impairment, its PRNG stream, its counters. */
class ImpairedLink {
  readonly counts: DirectionCounts = { received: 0, forwarded: 0, dropped: 0, duplicated: 0, reordered: 0 };
  readonly delayMs: number;

  constructor(
    private readonly impairment: LinkImpairment,
    private readonly random: SeededRandom,
  ) {
    this.delayMs = impairment.delayMs ?? DEFAULT_DELAY_MS;
  }

  /** Three draws per datagram whatever the outcome, so one decision never shifts the others. */
  decide(): { drop: boolean; duplicate: boolean; hold: boolean } {
    const drop = this.random.percent() < (this.impairment.lossPercent ?? 0);
    const duplicate = this.random.percent() < (this.impairment.duplicatePercent ?? 0);
    const hold = this.random.percent() < (this.impairment.reorderPercent ?? 0);
    this.counts.received++;
    if (drop) {
      this.counts.dropped++;
      return { drop, duplicate: false, hold: false };
    }
    this.counts.forwarded += duplicate ? 2 : 1;
    if (duplicate) this.counts.duplicated++;
    if (hold) this.counts.reordered++;
    return { drop, duplicate, hold };
  }
}

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence everywhere. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [0, 100). */
  percent(): number {
    return this.next() * 100;
  }
}

function validate(options: LossyUdpRelayOptions): void {
  for (const host of [options.host ?? '127.0.0.1', options.target.host]) {
    if (!isLoopback(host))
      throw new LossyUdpRelayError('RELAY.NOT_LOOPBACK', `the relay only uses loopback, not ${host}`);
  }
  const problems: string[] = [];
  if (!Number.isInteger(options.seed)) problems.push(`seed must be an integer, got ${options.seed}`);
  for (const [direction, link] of [
    ['toTarget', options.toTarget],
    ['fromTarget', options.fromTarget],
  ] as const) {
    for (const key of ['lossPercent', 'duplicatePercent', 'reorderPercent'] as const) {
      const value = link?.[key];
      if (value !== undefined && !(value >= 0 && value <= 100))
        problems.push(`${direction}.${key} must be in [0, 100]`);
    }
    const delay = link?.delayMs;
    if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0))
      problems.push(`${direction}.delayMs must be >= 0`);
  }
  if (problems.length > 0) throw new LossyUdpRelayError('RELAY.INVALID_OPTIONS', problems.join('; '));
}

function bindUdp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      // A datagram to a port nobody listens on comes back as ICMP; UDP loses it, as it should.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
