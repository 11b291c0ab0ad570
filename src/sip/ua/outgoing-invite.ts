import { Dialog } from '../dialog/dialog';
import { createResponse } from '../message/response-factory';
import { requestTemplate } from '../message/request-template';
import { SipHeaders } from '../message/sip-headers';
import { SipRequest, type SipResponse } from '../message/sip-message';
import type { ClientTransaction, ClientTransactionHandlers } from '../transaction/transaction-user';
import type { SendTarget } from '../transport/transport';

export interface InviteResult {
  /** The final response: a 2xx, a 3xx-6xx, or a 408/503 we made up after a timeout or transport error. */
  readonly response: SipResponse;
  /** The confirmed dialog, on a 2xx. */
  readonly dialog: Dialog | null;
}

/**
 * Who follows an outgoing INVITE by calls rather than by `onProvisional` and `result`: one object a
 * call instead of a closure, a promise and its reaction, kept for as long as the callee rings.
 */
export interface InviteListener {
  onProvisional(response: SipResponse, dialog: Dialog | null): void;
  onFinal(result: InviteResult): void;
}

/** What an outgoing INVITE needs from the UA core, kept narrow so the class can be tested alone. */
export interface OutgoingInviteCore {
  contactFor(target: SendTarget): string;
  /** Sends an ACK for a 2xx, end to end (RFC 3261 §13.2.2.4), remembering it for retransmitted 2xx. */
  sendAck(dialog: Dialog, invite: SipRequest, target: SendTarget): void;
  /** Sends the ACK remembered for a retransmitted 2xx again. */
  resendAck(response: SipResponse): void;
  /** Sends a CANCEL for this INVITE (same branch, RFC 3261 §9.1). */
  sendCancel(invite: SipRequest, transaction: ClientTransaction, target: SendTarget): void;
  /** Ends a dialog we no longer want (a 2xx that raced our CANCEL, or a second fork). */
  hangUp(dialog: Dialog, target: SendTarget): void;
  addDialog(dialog: Dialog): void;
  /** An early dialog that will never be confirmed (the INVITE failed, or another fork answered). */
  forgetDialog(dialog: Dialog): void;
}

/**
 * The UAC side of an INVITE (RFC 3261 §13.2): early dialogs from tagged 1xx, ACK for 2xx, CANCEL
 * only once a provisional has arrived (§9.1), and the CANCEL/2xx race resolved by ACK then BYE.
 * Its transaction reports to `handlers`, which let go of it once it is answered (see AnsweredInvite).
 */
export class OutgoingInvite {
  transaction: ClientTransaction | null = null;
  onProvisional?: (response: SipResponse, dialog: Dialog | null) => void;
  /** Told of every provisional and of the final result, besides `onProvisional` and `result` (see `listen`). */
  private listener: InviteListener | null = null;
  /** What the transaction reports to. */
  readonly handlers: InviteResponses;
  /** `result`, made when first asked for. */
  private promised: Promise<InviteResult> | null = null;
  private settle: ((result: InviteResult) => void) | null = null;
  private outcome: InviteResult | null = null;
  private settled = false;
  private provisionalSeen = false;
  private cancelWanted = false;
  private cancelSent = false;
  private early: Dialog | null = null;
  private confirmed: Dialog | null = null;

  constructor(
    private invite: SipRequest,
    readonly target: SendTarget,
    private readonly core: OutgoingInviteCore,
  ) {
    this.handlers = new InviteResponses(this);
  }

  /**
   * Tells `listener` of every provisional from now on and of the final result, at once (as a promise's
   * reaction would) if the INVITE already has it: a send that failed at once is reported before the
   * caller of `ua.invite()` gets to listen.
   */
  listen(listener: InviteListener): void {
    const outcome = this.outcome;
    if (outcome !== null) {
      queueMicrotask(() => listener.onFinal(outcome));
      return;
    }
    this.listener = listener;
  }

  /** Whether anything still listens (nothing does once the final result went). */
  get listening(): boolean {
    return this.listener !== null;
  }

  /** The final result: a 2xx with its dialog, or a failure (made up on a timeout or transport error). */
  get result(): Promise<InviteResult> {
    if (this.promised === null) {
      const outcome = this.outcome;
      this.promised = outcome !== null ? Promise.resolve(outcome) : new Promise((resolve) => (this.settle = resolve));
    }
    return this.promised;
  }

  /** The INVITE; once it rings, only what a CANCEL, an ACK and a dialog read of it (a template). */
  get request(): SipRequest {
    return this.invite;
  }

  get dialog(): Dialog | null {
    return this.confirmed ?? this.early;
  }

  /** Asks to cancel; sent now if a provisional came, else as soon as one does (RFC 3261 §9.1). */
  cancel(): void {
    if (this.settled) return;
    this.cancelWanted = true;
    this.maybeSendCancel();
  }

  /** @internal Every response before the first 2xx, from `handlers`. */
  onResponse(response: SipResponse): void {
    if (response.status < 200) return this.onProvisionalResponse(response);
    if (response.status < 300) return this.onSuccess(response);
    this.fail(response);
  }

  onTimeout(): void {
    this.fail(createResponse(this.request, 408, 'Request Timeout'));
  }

  onTransportError(): void {
    this.fail(createResponse(this.request, 503, 'Service Unavailable'));
  }

  private fail(response: SipResponse): void {
    if (this.early && !this.confirmed) {
      this.core.forgetDialog(this.early);
      this.early.state = 'terminated';
    }
    this.finish({ response, dialog: null });
  }

  private onProvisionalResponse(response: SipResponse): void {
    if (!this.provisionalSeen) this.ringing();
    this.provisionalSeen = true;
    if (response.status > 100 && response.toTag && !this.early) {
      // In the table at once: the callee may send requests in the early dialog (RFC 3261 §12.2).
      this.early = Dialog.asUac(this.request, response, this.core.contactFor(this.target));
      this.core.addDialog(this.early);
    }
    this.maybeSendCancel();
    if (response.status > 100) {
      this.onProvisional?.(response, this.early);
      this.listener?.onProvisional(response, this.early);
    }
  }

  /**
   * Its first provisional: the transaction will not send the INVITE again, and we only read a few of its
   * headers from now on. Both keep one template instead of the INVITE, for as long as the callee rings.
   */
  private ringing(): void {
    const template = requestTemplate(this.invite, PROCEEDING_TEMPLATE);
    this.invite = template;
    this.transaction?.keepOnly(template);
  }

  private onSuccess(response: SipResponse): void {
    const remoteTag = response.toTag ?? '';
    const sameAsEarly = this.early !== null && this.early.id.remoteTag === remoteTag;
    if (this.early && !sameAsEarly) this.core.forgetDialog(this.early);
    const dialog =
      sameAsEarly && this.early ? this.early : Dialog.asUac(this.request, response, this.core.contactFor(this.target));
    dialog.confirmFrom(response);
    this.confirmed = dialog;
    this.early = null;
    this.core.addDialog(dialog);
    this.core.sendAck(dialog, this.request, this.target);
    // From here on the transaction's 2xx (retransmissions, other forks) go to what little answers them:
    // strings the dialog keeps anyway, and the INVITE's CSeq.
    this.handlers.answered(
      new AnsweredInvite(
        { from: dialog.localText, callId: dialog.callId, seq: this.request.cseq.seq, uri: dialog.remoteTarget },
        this.target,
        this.core,
        dialog.remoteTag,
      ),
    );
    if (this.cancelWanted) {
      this.core.hangUp(dialog, this.target);
      this.finish({ response, dialog: null });
      return;
    }
    this.finish({ response, dialog });
  }

  private maybeSendCancel(): void {
    if (!this.cancelWanted || this.cancelSent || !this.provisionalSeen || !this.transaction) return;
    this.cancelSent = true;
    this.core.sendCancel(this.request, this.transaction, this.target);
  }

  private finish(result: InviteResult): void {
    if (this.settled) return;
    this.settled = true;
    // No provisional follows a final answer; the handler, and what it closes over, need not outlive it.
    this.onProvisional = undefined;
    const listener = this.listener;
    this.listener = null;
    this.outcome = result;
    this.settle?.(result);
    this.settle = null;
    // As a promise's reaction would: after the transaction has done with the response.
    if (listener !== null) queueMicrotask(() => listener.onFinal(result));
  }
}

/** What a dialog with another fork and its ACK read of our INVITE (RFC 3261 §12.1.2, §13.2.2.4). */
interface ForkBasis {
  /** Our From, with our tag. */
  readonly from: string;
  readonly callId: string;
  readonly seq: number;
  /** The first fork's target: a fork's dialog reads only its scheme of it (its 2xx has a Contact). */
  readonly uri: string;
}

/**
 * What an INVITE needs once a 2xx answered it, for the 2xx that may still come through its
 * transaction (RFC 6026 Accepted, 64*T1 over UDP): the same ACK again for a retransmission, ACK and
 * BYE for another fork's (RFC 3261 §13.2.2.4). Neither needs the dialog, the 2xx, the result or the
 * INVITE: a few strings the first dialog keeps anyway, from which another fork's dialog is made.
 */
class AnsweredInvite {
  constructor(
    private readonly fork: ForkBasis,
    private readonly target: SendTarget,
    private readonly core: OutgoingInviteCore,
    private readonly remoteTag: string,
  ) {}

  onSuccess(response: SipResponse): void {
    if ((response.toTag ?? '') === this.remoteTag) {
      this.core.resendAck(response);
      return;
    }
    const { from, callId, seq, uri } = this.fork;
    const headers = new SipHeaders().append('From', from).append('Call-ID', callId).append('CSeq', `${seq} INVITE`);
    const invite = new SipRequest({ method: 'INVITE', uri, headers });
    const extra = Dialog.asUac(invite, response, this.core.contactFor(this.target));
    this.core.addDialog(extra);
    this.core.sendAck(extra, invite, this.target);
    this.core.hangUp(extra, this.target);
  }
}

/**
 * The headers of a ringing INVITE read until its final answer: a CANCEL (RFC 3261 §9.1), the ACK of a
 * failure (§17.1.1.3), a dialog (§12.1.2), a 408 or 503 made up. Nothing sends the INVITE itself again.
 */
const PROCEEDING_TEMPLATE = new Set(['via', 'route', 'max-forwards', 'from', 'to', 'call-id', 'cseq']);

/**
 * The INVITE's transaction handler. Over UDP the transaction outlives the answer by 64*T1; it holds
 * this, which holds the OutgoingInvite (its dialogs, its result) only until the first 2xx.
 */
class InviteResponses implements ClientTransactionHandlers {
  private afterAnswer: AnsweredInvite | null = null;

  constructor(private invite: OutgoingInvite | null) {}

  answered(answered: AnsweredInvite): void {
    this.afterAnswer = answered;
    this.invite = null;
  }

  onResponse(response: SipResponse): void {
    if (this.invite !== null) this.invite.onResponse(response);
    else if (response.status >= 200 && response.status < 300) this.afterAnswer?.onSuccess(response);
  }

  onTimeout(): void {
    this.invite?.onTimeout();
  }

  onTransportError(): void {
    this.invite?.onTransportError();
  }
}
