import type { Socket } from 'node:net';

/** Why an inbound connection was closed as it was accepted. */
export type ConnectionRefusal = 'closed' | 'total' | 'per-source' | 'handshakes';

export const CONNECTION_REFUSALS: readonly ConnectionRefusal[] = ['closed', 'total', 'per-source', 'handshakes'];

export interface InboundConnectionLimits {
  /** Connections open at once on the transport. */
  readonly maxTotal: number;
  /** Connections open at once from one source address; 0: no cap. */
  readonly maxPerSource: number;
  /** TLS handshakes under way at once. */
  readonly maxHandshakes: number;
}

/**
 * The inbound connections of one stream transport, counted from accept until their socket closes (a TLS
 * handshake included, so a client that never finishes one still holds its slot): in all, and per source
 * address, so that one address cannot take every slot. Bounded by the connections themselves.
 */
export class InboundConnections {
  /** Connections refused since start, by reason. */
  readonly refused: Record<ConnectionRefusal, number> = { closed: 0, total: 0, 'per-source': 0, handshakes: 0 };
  private readonly sockets = new Set<Socket>();
  private readonly perSource = new Map<string, number>();
  private closed = false;

  constructor(private readonly limits: InboundConnectionLimits) {}

  get size(): number {
    return this.sockets.size;
  }

  /** Connections open from `source` now. */
  from(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  /** Why a new connection from `source` may not be taken now (counted as refused), or null when it may. */
  refusal(source: string, handshaking: number): ConnectionRefusal | null {
    const reason = this.check(source, handshaking);
    if (reason) this.refused[reason]++;
    return reason;
  }

  /** Counts an accepted connection from `source` until its socket closes. */
  add(socket: Socket, source: string): void {
    this.sockets.add(socket);
    this.perSource.set(source, this.from(source) + 1);
    socket.once('close', () => {
      if (!this.sockets.delete(socket)) return;
      const left = this.from(source) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    });
  }

  /** Refuses every new connection from now on and closes those still open, handshakes under way included. */
  close(): void {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
  }

  private check(source: string, handshaking: number): ConnectionRefusal | null {
    const { maxTotal, maxPerSource, maxHandshakes } = this.limits;
    if (this.closed) return 'closed';
    if (this.sockets.size >= maxTotal) return 'total';
    if (maxPerSource > 0 && this.from(source) >= maxPerSource) return 'per-source';
    if (handshaking >= maxHandshakes) return 'handshakes';
    return null;
  }
}
