import type { Clock, TimerHandle } from '../../clock';
import { asError } from '../../errors';
import { dialogKey, type Dialog } from '../dialog/dialog';
import type { SipRequest, SipResponse } from '../message/sip-message';
import type { SendTarget } from '../transport/transport';
import { literalNextHop, resolveNextHop } from './next-hop';

interface SentAck {
  /** The ACK as it went: a few hundred bytes, where the request would be a header list and its strings. */
  readonly data: Buffer;
  readonly target: SendTarget;
  readonly expiresAt: number;
}

/** What AckMemory asks of the transaction layer (`prepareAck`, `sendAck`). */
export interface AckSender {
  prepare(ack: SipRequest, target: SendTarget): Buffer;
  send(data: Buffer, target: SendTarget): void;
}

/**
 * The ACKs we sent for 2xx responses (RFC 3261 §13.2.2.4), by dialog: a retransmitted 2xx, even one
 * that comes after its INVITE transaction or its dialog ended, gets the same ACK again, byte for byte.
 * Kept 64*T1, as long as the callee may retransmit its 2xx (§13.3.1.4).
 *
 * Every ACK is kept equally long, so the Map's insertion order is expiry order, and one timer, set
 * for the oldest, expires them all: a server at hundreds of calls/s keeps thousands.
 */
export class AckMemory {
  private readonly byDialog = new Map<string, SentAck>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly t1Ms: number,
    /** Prepares and sends ACKs outside any transaction. */
    private readonly sender: AckSender,
    /** Told when an ACK cannot go: no next hop (a host name that does not resolve, say), or unsendable. */
    private readonly cannotSend: (error: Error) => void,
  ) {}

  get size(): number {
    return this.byDialog.size;
  }

  /** Sends the ACK for a 2xx of `invite` in `dialog`: built once, resent as is. */
  acknowledge(dialog: Dialog, invite: SipRequest, inviteTarget: SendTarget): void {
    const existing = this.byDialog.get(dialog.key);
    if (existing) {
      this.sender.send(existing.data, existing.target);
      return;
    }
    const ack = dialog.createRequest('ACK', { cseq: invite.cseq.seq });
    let target: SendTarget | null;
    try {
      target = literalNextHop(ack, inviteTarget.protocol);
    } catch (error) {
      this.cannotSend(asError(error));
      return;
    }
    if (target !== null) {
      this.remember(dialog.key, ack, target);
      return;
    }
    resolveNextHop(ack, inviteTarget.protocol).then(
      (resolved) => this.remember(dialog.key, ack, resolved),
      (error: unknown) => this.cannotSend(asError(error)),
    );
  }

  /** A 2xx to an INVITE that matched no transaction: our ACK was lost, send it again. False if we sent none. */
  reacknowledge(response: SipResponse): boolean {
    if (response.status < 200 || response.status >= 300 || response.cseq.method !== 'INVITE') return false;
    // Our dialog: our From tag is its local tag, the callee's To tag its remote one.
    const key = dialogKey({
      callId: response.callId,
      localTag: response.fromTag ?? '',
      remoteTag: response.toTag ?? '',
    });
    const sent = this.byDialog.get(key);
    if (!sent) return false;
    this.sender.send(sent.data, sent.target);
    return true;
  }

  /** Forgets every ACK at once (the UA is closing). */
  clear(): void {
    this.byDialog.clear();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private remember(key: string, ack: SipRequest, target: SendTarget): void {
    let data: Buffer;
    try {
      data = this.sender.prepare(ack, target);
    } catch (error) {
      this.cannotSend(asError(error));
      return;
    }
    this.byDialog.set(key, { data, target, expiresAt: this.clock.now() + 64 * this.t1Ms });
    this.timer ??= this.clock.setTimeout(this.expire, 64 * this.t1Ms);
    this.sender.send(data, target);
  }

  private readonly expire = (): void => {
    this.timer = null;
    const now = this.clock.now();
    for (const [key, sent] of this.byDialog) {
      if (sent.expiresAt > now) {
        this.timer = this.clock.setTimeout(this.expire, sent.expiresAt - now);
        return;
      }
      this.byDialog.delete(key);
    }
  };
}
