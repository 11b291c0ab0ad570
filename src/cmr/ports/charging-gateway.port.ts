import type { Identity, IsoInstant, Money, ResourceId } from '../model';

/** One immediate event charge for a copy (the seed's steps 5 and 6). */
export interface ChargeRequest {
  /** Stable for one copy: a retried request with the same key must never debit twice. */
  readonly idempotencyKey: string;
  /** Who pays: the caller who asked for the copy. */
  readonly requester: Identity;
  /** Whose ringing media was copied. */
  readonly owner: Identity;
  readonly resourceId: ResourceId;
  readonly title: string;
  readonly price: Money;
  /** The SIP Call-ID of the call, and the IMS Charging Identifier of its P-Charging-Vector, for correlation. */
  readonly callId: string;
  readonly icid: string | null;
  readonly requestedAt: IsoInstant;
  /**
   * True when this request may have been sent before (a recovery after a crash or a lost answer): the
   * Diameter adapter then sets the T flag (RFC 6733 §3) on its first transmission too. The idempotency
   * key is what prevents a second debit; this only helps the charging system see the duplicate.
   */
  readonly retransmission?: boolean;
}

export type ChargeRefusal = 'no-credit' | 'barred' | 'unknown-user' | 'denied';

export type ChargeResult =
  | { readonly status: 'charged'; readonly reference: string }
  /** The charging system answered and said no: nothing was debited. */
  | { readonly status: 'refused'; readonly reason: ChargeRefusal; readonly detail: string }
  /**
   * No usable answer (down, timeout, error). The request may still have debited (an answer lost after
   * the debit) unless `neverSent`: no connection could be made, so the charging system never saw it.
   */
  | { readonly status: 'unavailable'; readonly detail: string; readonly neverSent?: boolean };

/** The Charging Enabler as the copy use case sees it; adapters (HTTP CHF, Diameter Ro) live in src/charging/. */
export interface ChargingGateway {
  debit(request: ChargeRequest): Promise<ChargeResult>;
  /** Undoes a debit whose copy could not be completed (same idempotency key). */
  refund(request: ChargeRequest, reference: string): Promise<ChargeResult>;
  close(): Promise<void>;
  /**
   * Whether a charge could be sent now, for readiness: a connection-oriented adapter (Diameter) knows;
   * one without standing connections (HTTP) leaves this out and counts as ready.
   */
  reachable?(): boolean;
}
