import { newTag } from '../dialog/identifiers';
import { createResponse } from '../message/response-factory';
import type { SipRequest, SipResponse } from '../message/sip-message';
import type { ServerTransaction } from '../transaction/transaction-user';
import type { UaContext } from './ua-context';

export interface RespondOptions {
  readonly reason?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
  readonly contentType?: string;
}

/**
 * A request received by the UA core, answered through its server transaction. All responses to one
 * request carry the same To tag, so a dialog created by a 1xx is the one a 2xx confirms.
 */
export class IncomingRequest {
  private tag: string | null;
  private kept: SipRequest;

  constructor(
    request: SipRequest,
    protected readonly transaction: ServerTransaction,
    protected readonly ua: UaContext,
  ) {
    this.kept = request;
    this.tag = request.toTag;
  }

  /** The request; for a long-lived one, only the template of it that is still read (see keepOnly). */
  get request(): SipRequest {
    return this.kept;
  }

  /** From now on only `template` of the request is read: this and its transaction keep that instead. */
  protected keepOnly(template: SipRequest): void {
    this.kept = template;
    this.transaction.keepOnly(template);
  }

  get method(): string {
    return this.request.method;
  }

  get finalSent(): boolean {
    return this.transaction.finalSent;
  }

  /** Our To tag for this request (created on first use for requests outside a dialog). */
  get localTag(): string {
    this.tag ??= newTag();
    return this.tag;
  }

  respond(status: number, opts: RespondOptions = {}): SipResponse {
    return this.send(this.buildResponse(status, opts));
  }

  /** Hands a built response to the transaction. */
  protected send(response: SipResponse): SipResponse {
    this.transaction.respond(response);
    this.ua.metrics?.responseSent(response.status);
    return response;
  }

  protected buildResponse(status: number, opts: RespondOptions): SipResponse {
    const response = createResponse(this.request, status, opts.reason, {
      toTag: status === 100 ? undefined : this.localTag,
      body: opts.body,
      contentType: opts.contentType,
      headers: opts.headers?.map(([n, v]) => [n, v] as [string, string]),
    });
    if (!response.headers.has('server')) response.headers.append('Server', this.ua.userAgent);
    return response;
  }
}
