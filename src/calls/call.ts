import type { Identity, Resource } from '../cmr/model';

/** Where a call stands, from the caller's point of view. */
export type CallPhase = 'routing' | 'ringing' | 'early-media' | 'answered' | 'ended';

/** One pass of a CMR resource presented to the caller, with when it started and (once over) ended. */
export interface Presentation {
  readonly resource: Resource;
  readonly startedAt: number; // epoch ms
  endedAt: number | null;
}

export interface CallParties {
  /** Canonical identity of the caller, or null when anonymous or not a phone number/SIP URI we can read. */
  readonly caller: Identity | null;
  /** Canonical identity of the called party (the served user for a terminating AS). */
  readonly called: Identity | null;
  /** The raw URIs as signalled, for logs and the API. */
  readonly callerUri: string;
  readonly calledUri: string;
}

export interface CallInit {
  readonly id: string;
  readonly parties: CallParties;
  /** IMS Charging Identifier from P-Charging-Vector, kept for charging correlation. */
  readonly icid: string | null;
  readonly createdAt: number;
}

/**
 * One call through the B2BUA as the CMR service sees it: who calls whom, its phase, and the history
 * of what was presented to the caller. Knows nothing of SIP; the signaling layer drives it.
 */
export class Call {
  readonly id: string;
  readonly parties: CallParties;
  readonly icid: string | null;
  readonly createdAt: number;
  phase: CallPhase = 'routing';
  answeredAt: number | null = null;
  endedAt: number | null = null;
  endReason: string | null = null;
  /**
   * Oldest first; at most one is open (endedAt null) at any instant. Replaced, not grown, on each new one:
   * most calls present one resource, and an array grown by push holds room for seventeen.
   */
  private shown: readonly Presentation[] = [];

  constructor(init: CallInit) {
    this.id = init.id;
    this.parties = init.parties;
    this.icid = init.icid;
    this.createdAt = init.createdAt;
  }

  get presentations(): readonly Presentation[] {
    return this.shown;
  }

  /** The resource presenting right now, if any. */
  get presenting(): Presentation | null {
    const last = this.presentations[this.presentations.length - 1];
    return last && last.endedAt === null ? last : null;
  }

  /** Starts presenting `resource` at `at`, ending whatever presented before at the same instant. */
  present(resource: Resource, at: number): Presentation {
    this.stopPresenting(at);
    const p: Presentation = { resource, startedAt: at, endedAt: null };
    this.shown = this.shown.concat(p);
    this.phase = 'early-media';
    return p;
  }

  stopPresenting(at: number): Presentation | null {
    const current = this.presenting;
    if (current) current.endedAt = Math.max(at, current.startedAt);
    return current;
  }

  /**
   * What presented at instant `at`: the presentation whose span holds it; with `graceMs`, also one that
   * ended no more than `graceMs` before (the caller pressed the key just as the media stopped).
   */
  presentingAt(at: number, graceMs = 0): Presentation | null {
    for (let i = this.presentations.length - 1; i >= 0; i--) {
      const p = this.presentations[i];
      if (!p || p.startedAt > at) continue;
      if (p.endedAt === null || at < p.endedAt) return p;
      return at - p.endedAt <= graceMs ? p : null;
    }
    return null;
  }

  ringing(): void {
    if (this.phase === 'routing') this.phase = 'ringing';
  }

  answered(at: number): void {
    this.stopPresenting(at);
    this.phase = 'answered';
    this.answeredAt = at;
  }

  end(at: number, reason: string): void {
    if (this.phase === 'ended') return;
    this.stopPresenting(at);
    this.phase = 'ended';
    this.endedAt = at;
    this.endReason = reason;
  }
}
