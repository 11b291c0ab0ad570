import type { TimerHandle } from '../../clock';
import type { Admission } from '../../calls/admission';
import type { Call } from '../../calls/call';
import type { CopyConsent } from '../../cmr/copy-consent';
import type { CopyResult, CopyService } from '../../cmr/copy-service';
import { normalizeIdentity } from '../../cmr/identity';
import type { CopyTrigger } from '../../cmr/model';
import type { AppConfig } from '../../config/schema';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import { parseTargetDialog } from '../dialog/dialog-table';
import { parseNameAddr } from '../message/name-addr';
import { formatUri } from '../message/sip-uri';
import type { IncomingRequest } from '../ua/incoming-request';
import type { SipUserAgent } from '../ua/user-agent';
import { noticeBody, type CopyNotice } from './copy-notice';
import { COPY_ANSWERS, type EdgeRefusal } from './copy-outcome-responses';
import { COPY_INFO_PACKAGE, COPY_REQUEST_TYPE, parseCopyRequest } from './copy-request-body';
import { dtmfDigit } from './dtmf-body';

/** The call a dialog belongs to, as the B2BUA knows it. */
export interface CallLookup {
  byDialog(dialog: Dialog): { call: Call; callerDialog: Dialog | null } | null;
  callerDialog(call: Call): Dialog | null;
}

export interface CopyControllerOptions {
  readonly copy: CopyService;
  readonly consent: CopyConsent;
  readonly config: Pick<AppConfig, 'copy' | 'b2bua' | 'media'>;
  readonly ua: Pick<SipUserAgent, 'dialogs' | 'requestInDialog'>;
  readonly calls: CallLookup;
  readonly clock: {
    now(): number;
    setTimeout: (fn: () => void, ms: number) => TimerHandle;
    clearTimeout(h: TimerHandle): void;
  };
  readonly logger: Logger;
  /** Per-requester budget for copy requests; absent: no limit. */
  readonly admission?: Pick<Admission, 'admitCopy'>;
}

/**
 * The SIP edge of the copy service (the seed's steps 2, 3 and 7): recognises every trigger a handset has
 * (DTMF INFO, RFC 6086 Info Packages, MESSAGE in the dialog, MESSAGE outside it with Target-Dialog),
 * resolves the call from the dialog, runs the consent dialogue, and answers with a response and a
 * confirmation MESSAGE to the caller.
 */
export class CopyController {
  private readonly packages: readonly string[];

  constructor(private readonly options: CopyControllerOptions) {
    this.packages = [...new Set([...options.config.media.recvInfo, COPY_INFO_PACKAGE])];
  }

  /** Info Packages we take (RFC 6086 Recv-Info). */
  get infoPackages(): readonly string[] {
    return this.packages;
  }

  /**
   * An INFO or MESSAGE the caller sent in its dialog. Returns false when it is not for the copy service
   * (after answer: DTMF for the called party's IVR, a chat MESSAGE), so the B2BUA relays it.
   */
  onCallerRequest(incoming: IncomingRequest, call: Call, early: boolean): boolean {
    const request = incoming.request;
    const type = request.contentType;
    if (request.method === 'INFO') {
      const pkg = request.headers.get('info-package')?.split(';')[0]?.trim() ?? null;
      if (pkg !== null && !this.packages.some((p) => p.toLowerCase() === pkg.toLowerCase())) {
        incoming.respond(469, { reason: 'Bad Info Package', headers: [['Recv-Info', this.packages.join(', ')]] });
        return true;
      }
      if (pkg?.toLowerCase() === COPY_INFO_PACKAGE || type === COPY_REQUEST_TYPE) {
        this.onCopyBody(incoming, call, 'info');
        return true;
      }
      const digit = dtmfDigit(type, request.body);
      if (digit === null) return early ? this.ignore(incoming) : false;
      const now = this.options.clock.now();
      const forUs =
        early ||
        this.options.consent.hasOffer(call.id, now) ||
        (digit === this.options.config.copy.key && call.presentingAt(now, this.options.config.copy.graceMs) !== null);
      if (!forUs) return false;
      if (digit === this.options.config.copy.key && this.overBudget(incoming, call)) return true;
      incoming.respond(200);
      this.onDigit(call, digit, now);
      return true;
    }
    if (request.method === 'MESSAGE' && type === COPY_REQUEST_TYPE) {
      this.onCopyBody(incoming, call, 'message');
      return true;
    }
    return early ? this.ignore(incoming) : false;
  }

  /** A MESSAGE outside any dialog: a copy request naming its call with Target-Dialog (RFC 4538). */
  onOutOfDialogRequest(incoming: IncomingRequest): void {
    const request = incoming.request;
    if (request.method !== 'MESSAGE' || request.contentType !== COPY_REQUEST_TYPE) {
      return void incoming.respond(404, { reason: 'Not Found' });
    }
    const header = request.headers.get('target-dialog');
    const target = header ? parseTargetDialog(header) : null;
    if (!target) return this.refuse(incoming, 'bad-request', 'missing or unreadable Target-Dialog');
    const dialog = this.options.ua.dialogs.forTargetDialog(target);
    const found = dialog ? this.options.calls.byDialog(dialog) : null;
    if (!found || found.callerDialog !== dialog)
      return this.refuse(incoming, 'no-such-call', 'Target-Dialog names no call');
    const trusted = this.options.config.b2bua.trustedPeers.includes(request.source?.address ?? '');
    if (!trusted) return this.refuse(incoming, 'client-not-allowed', 'untrusted source', found.call);
    if (this.requesterOf(request) !== found.call.parties.caller) {
      return this.refuse(incoming, 'not-a-party', 'requester is not the caller of that call', found.call);
    }
    this.onCopyBody(incoming, found.call, 'message');
  }

  /** The call ended: a pending offer goes with it. */
  onCallEnded(call: Call): void {
    this.options.consent.forget(call.id);
  }

  /** Answers 503 + Retry-After when the caller is over its copy budget (an audit line says so). */
  private overBudget(incoming: IncomingRequest, call: Call): boolean {
    const requester = call.parties.caller;
    const refusal = requester ? this.options.admission?.admitCopy(requester, this.options.clock.now()) : null;
    if (!refusal) return false;
    this.options.logger.info('copy request refused', { callId: call.id, why: refusal.reason, requester });
    incoming.respond(503, {
      reason: 'Service Unavailable (Rate Limit)',
      headers: [['Retry-After', String(refusal.retryAfterSeconds)]],
    });
    return true;
  }

  private ignore(incoming: IncomingRequest): boolean {
    incoming.respond(200);
    return true;
  }

  private refuse(incoming: IncomingRequest, why: EdgeRefusal, detail: string, call?: Call): void {
    const answer = COPY_ANSWERS[why];
    this.options.logger.info('copy request refused', { callId: call?.id ?? incoming.request.callId, why, detail });
    incoming.respond(answer.status, { reason: answer.reason });
  }

  /** Who sent an out-of-dialog request: the asserted identity from a trusted peer, else From. */
  private requesterOf(request: IncomingRequest['request']): string | null {
    const asserted = request.headers.getAll('p-asserted-identity')[0];
    try {
      const uri = asserted ? formatUri(parseNameAddr(asserted).uri) : formatUri(request.from.uri);
      return normalizeIdentity(uri);
    } catch {
      return null;
    }
  }

  private onCopyBody(incoming: IncomingRequest, call: Call, trigger: CopyTrigger): void {
    const request = incoming.request;
    if (this.overBudget(incoming, call)) return;
    if (!this.clientAllowed(request.headers.get('user-agent')))
      return this.refuse(incoming, 'client-not-allowed', 'client', call);
    const parsed = parseCopyRequest(request.body);
    if (!parsed.ok) return void incoming.respond(400, { reason: `Bad Request (${parsed.problem})` });
    const now = this.options.clock.now();
    if (!parsed.body.consent && this.options.config.copy.requireConfirmation) {
      void this.offerCopy(call, now, incoming);
      return;
    }
    const decision = this.options.copy.requestCopy({ call, trigger, at: now, resourceId: parsed.body.resourceId });
    if (request.method === 'INFO') incoming.respond(200);
    else this.answerInTime(incoming, decision);
    void decision.then(
      (result) => this.notify(call, resultNotice(call, result)),
      (err: unknown) => this.failed(call, err),
    );
  }

  private onDigit(call: Call, digit: string, now: number): void {
    const { key, confirmKey, requireConfirmation } = this.options.config.copy;
    const consent = this.options.consent;
    if (digit !== key && consent.hasOffer(call.id, now)) {
      const answer = consent.answer(call.id, digit === confirmKey, now);
      if (answer.kind === 'confirmed') {
        return this.decideAndNotify(call, 'dtmf', answer.offeredAt, answer.resource.id);
      }
      if (answer.kind === 'cancelled') {
        return this.notify(call, {
          kind: 'cancelled',
          outcome: 'declined',
          callId: call.id,
          resource: answer.resource,
          price: null,
        });
      }
      return;
    }
    if (digit !== key) return;
    if (!requireConfirmation) return this.decideAndNotify(call, 'dtmf', now, null);
    void this.offerCopy(call, now, null);
  }

  /**
   * The first step of the consent dialogue: offer what presents, with its price. Nothing presenting, or a
   * tone the caller owns already, is said at once instead. A request (MESSAGE, INFO) gets its answer here;
   * a key press was answered 200 already.
   */
  private async offerCopy(call: Call, now: number, incoming: IncomingRequest | null): Promise<void> {
    let offer;
    try {
      offer = await this.options.copy.offer(call, now);
    } catch (err) {
      if (incoming) this.answer(incoming, 'store-unavailable');
      return this.failed(call, err);
    }
    const plain = (outcome: 'nothing-presenting' | 'already-owned'): CopyNotice => ({
      kind: 'result',
      outcome,
      callId: call.id,
      resource: offer?.resource ?? null,
      price: null,
    });
    if (!offer || offer.alreadyOwned) {
      const outcome = offer ? 'already-owned' : 'nothing-presenting';
      if (incoming) this.answer(incoming, outcome);
      return this.notify(call, plain(outcome));
    }
    this.options.consent.offer(call.id, offer.resource, now);
    this.tellWhenLapsed(call, now);
    if (incoming) {
      const info = incoming.method === 'INFO';
      incoming.respond(info ? 200 : 202, { reason: info ? 'OK' : 'Accepted (Offered)' });
    }
    this.notify(call, this.offerNotice(call, offer.resource));
  }

  /** An offer nobody answers is withdrawn with a word to the caller, not in silence. */
  private tellWhenLapsed(call: Call, offeredAt: number): void {
    const { clock, consent, config } = this.options;
    clock.setTimeout(() => {
      const resource = consent.lapse(call.id, offeredAt);
      if (!resource) return;
      this.notify(call, { kind: 'cancelled', outcome: 'lapsed', callId: call.id, resource, price: null });
    }, config.copy.consentTimeoutMs + 1);
  }

  private decideAndNotify(call: Call, trigger: CopyTrigger, at: number, resourceId: string | null): void {
    this.options.copy.requestCopy({ call, trigger, at, resourceId }).then(
      (result) => this.notify(call, resultNotice(call, result)),
      (err: unknown) => this.failed(call, err),
    );
  }

  private offerNotice(call: Call, resource: CopyNotice['resource'] & object): CopyNotice {
    return {
      kind: 'offer',
      outcome: 'offered',
      callId: call.id,
      resource,
      price: resource.price,
      confirmKey: this.options.config.copy.confirmKey,
    };
  }

  /** RFC 4320: a non-INVITE request is answered within the budget; a slower outcome is 202 and follows in a MESSAGE. */
  private answerInTime(incoming: IncomingRequest, decision: Promise<CopyResult>): void {
    const { clock, config } = this.options;
    let answered = false;
    const timer = clock.setTimeout(() => {
      if (answered) return;
      answered = true;
      incoming.respond(202, { reason: 'Accepted' });
    }, config.copy.responseBudgetMs);
    void decision.then(
      (result) => {
        clock.clearTimeout(timer);
        if (answered) return;
        answered = true;
        this.answer(incoming, result.outcome);
      },
      () => {
        clock.clearTimeout(timer);
        if (!answered) incoming.respond(500, { reason: 'Server Internal Error' });
        answered = true;
      },
    );
  }

  private answer(incoming: IncomingRequest, outcome: keyof typeof COPY_ANSWERS): void {
    const a = COPY_ANSWERS[outcome];
    incoming.respond(a.status, {
      reason: a.reason,
      headers: a.retryAfter ? [['Retry-After', String(a.retryAfter)]] : [],
    });
  }

  private notify(call: Call, notice: CopyNotice): void {
    const dialog = this.options.calls.callerDialog(call);
    if (!dialog || dialog.state === 'terminated') {
      this.options.logger.info('copy notice not sent: the call is over', { callId: call.id, outcome: notice.outcome });
      return;
    }
    const { body, contentType } = noticeBody(notice);
    this.options.ua.requestInDialog(dialog, 'MESSAGE', { body, contentType }).then(
      (response) => this.options.logger.debug('copy notice answered', { callId: call.id, status: response.status }),
      (err: unknown) => this.options.logger.warn('copy notice not sent', { callId: call.id, error: String(err) }),
    );
  }

  private failed(call: Call, err: unknown): void {
    this.options.logger.error('copy failed unexpectedly', { callId: call.id, error: String(err) });
    this.notify(call, { kind: 'result', outcome: 'store-unavailable', callId: call.id, resource: null, price: null });
  }

  private clientAllowed(userAgent: string | undefined): boolean {
    const allowed = this.options.config.copy.allowedClients;
    return allowed.length === 0 || (userAgent !== undefined && allowed.some((p) => userAgent.startsWith(p)));
  }
}

function resultNotice(call: Call, result: CopyResult): CopyNotice {
  return {
    kind: 'result',
    outcome: result.outcome,
    callId: call.id,
    resource: result.resource,
    price: result.price,
    chargeReference: result.chargeReference,
  };
}
