import type { MessageSource, SipResponse } from '../message/sip-message';
import { serializeMessage } from '../message/sip-serializer';
import { responseRoute, type ResponseRoute } from './response-route';

/**
 * A response serialized once, with where it goes worked out once (RFC 3261 §18.2.2, RFC 3581): what a
 * server transaction keeps to answer retransmitted requests, in place of the response and the request
 * it answers. Over UDP a transaction lingers 64*T1 after its final response; kept as bytes in a buffer
 * of their own, a response costs its length and a few small objects, not a parsed message and the
 * text of the request its header values were copied from.
 */
export class PreparedResponse {
  private constructor(
    readonly status: number,
    readonly data: Buffer,
    readonly route: ResponseRoute,
    /** The request's source: its connection and the local address to answer from. */
    readonly requestSource: MessageSource | undefined,
  ) {}

  /** Throws SIP.TRANSPORT_ROUTE when the top Via names no address we can answer. */
  static of(response: SipResponse, requestSource?: MessageSource): PreparedResponse {
    const route = responseRoute(response.topVia, requestSource);
    return new PreparedResponse(response.status, serializeMessage(response, 'kept'), route, requestSource);
  }
}
