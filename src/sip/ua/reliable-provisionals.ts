import { randomInt } from 'node:crypto';
import type { Clock, TimerHandle } from '../../clock';
import type { SipRequest, SipResponse } from '../message/sip-message';

/** How a caller takes part in RFC 3262 (100rel), read from its INVITE. */
export type Reliability = 'required' | 'supported' | 'none';

export function reliabilityOf(invite: SipRequest): Reliability {
  const has = (header: string) =>
    invite.headers
      .getAll(header)
      .flatMap((v) => v.split(','))
      .some((t) => t.trim().toLowerCase() === '100rel');
  if (has('require')) return 'required';
  return has('supported') ? 'supported' : 'none';
}

/** The RAck header of a PRACK (RFC 3262 §7.2): which reliable provisional it acknowledges. */
export interface RAck {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}

const RACK = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)\s*$/;

export function parseRAck(value: string | undefined): RAck | null {
  const m = value === undefined ? null : RACK.exec(value);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  return { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3].toUpperCase() };
}

export interface ReliableProvisionalsIo {
  readonly clock: Clock;
  readonly t1Ms: number;
  /** Hands a retransmission of the response to the transport. */
  resend(response: SipResponse): void;
  /** No PRACK came within 64*T1 (RFC 3262 §3: the UAS SHOULD then reject the INVITE with a 5xx). */
  gaveUp(): void;
}

interface InFlight {
  readonly response: SipResponse;
  readonly rseq: number;
  readonly hasBody: boolean;
  timer: TimerHandle | null;
}

/**
 * The UAS side of RFC 3262 for one INVITE: numbers reliable provisionals with RSeq, retransmits the one
 * in flight (T1 doubling, whatever the transport) until its PRACK, and holds back what must wait for
 * that PRACK: the next reliable provisional (§3) and a 2xx that would follow an unacknowledged answer.
 */
export class ReliableProvisionals {
  /** RFC 3262 §3: the first RSeq is random in 1..2**31-1, leaving room to count up. */
  private nextRSeq = randomInt(1, 2 ** 31 - 1);
  private inFlight: InFlight | null = null;
  private readonly waiting: (() => void)[] = [];
  private readonly acknowledgements: ((acknowledged: boolean) => void)[] = [];
  private closed = false;

  /** The INVITE's CSeq number, which a PRACK's RAck names; the INVITE itself is not kept. */
  private readonly inviteSeq: number;

  constructor(
    invite: SipRequest,
    private readonly io: ReliableProvisionalsIo,
  ) {
    this.inviteSeq = invite.cseq.seq;
  }

  /** Whether a reliable provisional awaits its PRACK. */
  get awaitingPrack(): boolean {
    return this.inFlight !== null;
  }

  /** Whether a 2xx must wait: the provisional in flight carries an SDP answer (RFC 3262 §3). */
  get holdsFinal(): boolean {
    return this.inFlight?.hasBody ?? false;
  }

  /** Runs `send` now if nothing is in flight, else after the PRACK of what is (dropped on close). */
  whenFree(send: () => void): void {
    if (this.closed) return;
    if (this.inFlight) this.waiting.push(send);
    else send();
  }

  /** Stamps `Require: 100rel` and the next RSeq on a provisional about to be sent, and tracks it. */
  stamp(response: SipResponse): void {
    if (this.inFlight) throw new Error('a reliable provisional is already awaiting its PRACK');
    const rseq = this.nextRSeq++;
    response.headers.append('Require', '100rel');
    response.headers.append('RSeq', String(rseq));
    this.inFlight = { response, rseq, hasBody: response.body.length > 0, timer: null };
    const deadline = this.io.clock.now() + 64 * this.io.t1Ms;
    this.schedule(this.io.t1Ms, deadline);
  }

  /** Whether a PRACK's RAck names the provisional in flight (if not, the UAS answers 481, §3). */
  matches(rack: RAck | null): boolean {
    const current = this.inFlight;
    return (
      rack !== null &&
      current !== null &&
      rack.rseq === current.rseq &&
      rack.cseq === this.inviteSeq &&
      rack.method === 'INVITE'
    );
  }

  /** The provisional in flight was PRACKed: what waited for it goes out, in order, until one is in flight again. */
  acknowledge(): void {
    if (!this.inFlight) return;
    this.settle(true);
    for (let next = this.waiting.shift(); next; next = this.inFlight ? undefined : this.waiting.shift()) next();
  }

  /**
   * Resolves true once nothing is in flight any more because its PRACK came (at once when nothing is),
   * false when the INVITE was answered or given up first.
   */
  acknowledged(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.inFlight) return Promise.resolve(true);
    return new Promise((resolve) => this.acknowledgements.push(resolve));
  }

  /** The INVITE got its final answer: stop retransmitting, drop what was waiting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.length = 0;
    this.settle(false);
  }

  private settle(acknowledged: boolean): void {
    const current = this.inFlight;
    if (current?.timer) this.io.clock.clearTimeout(current.timer);
    this.inFlight = null;
    for (const resolve of this.acknowledgements.splice(0)) resolve(acknowledged);
  }

  private schedule(interval: number, deadline: number): void {
    const current = this.inFlight;
    if (!current) return;
    current.timer = this.io.clock.setTimeout(() => {
      if (this.inFlight !== current) return;
      if (this.io.clock.now() >= deadline) {
        current.timer = null;
        this.close();
        this.io.gaveUp();
        return;
      }
      this.io.resend(current.response);
      this.schedule(interval * 2, deadline);
    }, interval);
  }
}
