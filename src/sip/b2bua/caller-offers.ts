import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import type { SipRequest, SipResponse } from '../message/sip-message';
import { localOrigin, withOrigin, type SdpOrigin } from '../sdp/sdp-origin';
import type { SipUserAgent } from '../ua/user-agent';

/** How many times an offer to the caller is sent when it keeps crossing the caller's own (491). */
const GLARE_ATTEMPTS = 3;

/**
 * The SDP the B2BUA gives the caller, whoever's media it describes (media server, called party): one
 * origin of our own whose version goes up with every new description (RFC 3264 §8), and the offers we
 * make in the caller's dialog, one at a time, sent again after 0-2 s when they cross the caller's own
 * (491; RFC 3261 §14.1 gives that wait to the side that does not own the Call-ID, which we never do).
 */
export class CallerOffers {
  private readonly origin: SdpOrigin;
  private version = 0;
  /** The transaction of an offer awaiting the caller's answer. */
  private inFlight: Promise<unknown> | null = null;
  /** An offer being made, its 491 back-offs included. */
  private making: Promise<unknown> | null = null;

  constructor(
    /** The caller's INVITE, read through its IncomingInvite: what that keeps of it shrinks as the call goes. */
    private readonly invite: { readonly request: SipRequest },
    private readonly ua: SipUserAgent,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.origin = localOrigin(ua.contactFor(invite.request.source?.protocol ?? 'udp'), clock.now());
  }

  /** Our own address, as our SDP origin names it. */
  get address(): string {
    return this.origin.address;
  }

  /** Whether an offer of ours awaits the caller's answer: an offer from the caller now gets 491. */
  get pending(): boolean {
    return this.inFlight !== null;
  }

  /** Resolves once no offer of ours is being made. */
  async settled(): Promise<void> {
    while (this.making) await this.making;
  }

  /** `sdp` under our origin with a new version: a new description of the caller's session. */
  describe(sdp: Buffer): Buffer {
    this.version++;
    return this.repeat(sdp);
  }

  /** `sdp` under our origin at the current version: the same description again. */
  repeat(sdp: Buffer): Buffer {
    return withOrigin(sdp, this.origin, this.version);
  }

  callerAllows(method: string): boolean {
    const allow = this.invite.request.headers.getAll('allow').flatMap((v) => v.split(','));
    return allow.some((m) => m.trim().toUpperCase() === method);
  }

  /** Offers `sdp` to the caller in `dialog` by UPDATE or re-INVITE; null when the dialog went meanwhile. */
  async offer(dialog: () => Dialog | null, method: 'UPDATE' | 'INVITE', sdp: Buffer): Promise<SipResponse | null> {
    const making = this.attempts(dialog, method, sdp);
    this.making = making;
    try {
      return await making;
    } finally {
      if (this.making === making) this.making = null;
    }
  }

  private async attempts(
    dialog: () => Dialog | null,
    method: 'UPDATE' | 'INVITE',
    sdp: Buffer,
  ): Promise<SipResponse | null> {
    for (let attempt = 1; ; attempt++) {
      const current = dialog();
      if (!current || current.state === 'terminated') return null;
      const opts = { body: this.describe(sdp), contentType: 'application/sdp' };
      const sent =
        method === 'UPDATE' ? this.ua.requestInDialog(current, 'UPDATE', opts) : this.ua.reinvite(current, opts);
      this.inFlight = sent;
      const response = await sent;
      if (this.inFlight === sent) this.inFlight = null;
      if (response.status !== 491 || attempt >= GLARE_ATTEMPTS) return response;
      this.log.info("offer crossed the caller's: trying again", { method, attempt });
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.floor(Math.random() * 2000)));
    }
  }
}
