import type { Resource } from './model';

interface PendingOffer {
  readonly resource: Resource;
  readonly offeredAt: number;
  readonly expiresAt: number;
}

/** At most this many offers wait at once; the oldest give way (each call has at most one). */
const MAX_PENDING = 100_000;

export type ConsentAnswer =
  /** The confirmation key came in time: copy this resource now. */
  | { readonly kind: 'confirmed'; readonly resource: Resource; readonly offeredAt: number }
  /** Another key, or too late: the offer is withdrawn and nothing is charged. */
  | { readonly kind: 'cancelled'; readonly resource: Resource }
  | { readonly kind: 'no-offer' };

/**
 * Consent before money: a key-press copy is first offered (title and price), and only a different,
 * confirmation key within the time limit commits it. Silence or any other key cancels. No timers
 * here: an offer past its deadline no longer confirms, and whoever tells the caller asks `lapse`.
 */
export class CopyConsent {
  private readonly pending = new Map<string, PendingOffer>();

  constructor(private readonly options: { readonly timeoutMs: number }) {}

  offer(callId: string, resource: Resource, now: number): void {
    this.pending.delete(callId);
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(callId, { resource, offeredAt: now, expiresAt: now + this.options.timeoutMs });
  }

  hasOffer(callId: string, now: number): boolean {
    const offer = this.pending.get(callId);
    return offer !== undefined && now <= offer.expiresAt;
  }

  /** The caller's next key after an offer: `confirm` says whether it is the confirmation key. */
  answer(callId: string, confirm: boolean, now: number): ConsentAnswer {
    const offer = this.pending.get(callId);
    if (!offer) return { kind: 'no-offer' };
    this.pending.delete(callId);
    if (now > offer.expiresAt) return { kind: 'no-offer' };
    return confirm
      ? { kind: 'confirmed', resource: offer.resource, offeredAt: offer.offeredAt }
      : { kind: 'cancelled', resource: offer.resource };
  }

  /**
   * The time of the offer made at `offeredAt` is up (the caller's timer says so: no clock reading here, a
   * timer may fire a millisecond before Date.now() agrees): it goes, and its resource is returned; null
   * when it was answered, or replaced by a newer offer.
   */
  lapse(callId: string, offeredAt: number): Resource | null {
    const offer = this.pending.get(callId);
    if (!offer || offer.offeredAt !== offeredAt) return null;
    this.pending.delete(callId);
    return offer.resource;
  }

  /** The call ended: its offer, if any, goes with it. */
  forget(callId: string): void {
    this.pending.delete(callId);
  }
}
