import type { Clock } from '../../clock';
import type { DiameterMessage } from './diameter-message';

/** What became of one request: an answer, or why there is none. Never a thrown error. */
export type PeerExchange =
  | { readonly kind: 'answer'; readonly message: DiameterMessage }
  /** Sent; no answer within the deadline (Tx). */
  | { readonly kind: 'timeout' }
  /** Sent; the connection went away before the answer. */
  | { readonly kind: 'lost' }
  /** Never written to the connection. */
  | { readonly kind: 'not-sent'; readonly reason: string };

interface Pending {
  readonly commandCode: number;
  settle(result: PeerExchange): void;
}

/**
 * The requests of one connection awaiting answers, keyed by hop-by-hop id (RFC 6733 §6.2: an
 * answer is matched by hop-by-hop id; one that matches nothing, e.g. after its deadline, is dropped).
 */
export class PendingRequests {
  private readonly table = new Map<number, Pending>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.table.size;
  }

  /** Registers `hopByHopId` and resolves with its answer, `timeout` after `timeoutMs`, or `lost`. */
  wait(hopByHopId: number, commandCode: number, timeoutMs: number): Promise<PeerExchange> {
    return new Promise<PeerExchange>((resolve) => {
      const timer = this.clock.setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (result: PeerExchange): void => {
        if (this.table.get(hopByHopId)?.settle !== settle) return;
        this.table.delete(hopByHopId);
        this.clock.clearTimeout(timer);
        resolve(result);
      };
      this.table.set(hopByHopId, { commandCode, settle });
    });
  }

  /** Hands `answer` to its request; false when it matches none (unknown id or another command). */
  answer(answer: DiameterMessage): boolean {
    const pending = this.table.get(answer.hopByHopId);
    if (!pending || pending.commandCode !== answer.commandCode) return false;
    pending.settle({ kind: 'answer', message: answer });
    return true;
  }

  /** Every request still waiting is `lost` (the connection closed). */
  loseAll(): void {
    for (const pending of [...this.table.values()]) pending.settle({ kind: 'lost' });
  }
}
