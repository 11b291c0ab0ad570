import { parseNameAddr } from './name-addr';
import { reasonPhrase } from './reason-phrases';
import { SipHeaders } from './sip-headers';
import type { SipRequest } from './sip-message';
import { SipResponse } from './sip-message';

export interface ResponseOptions {
  /** Added to To when it has no tag (never on 100 Trying, RFC 3261 §8.2.6.2). */
  readonly toTag?: string;
  /** Extra header fields, appended in order. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  /** Content-Type of `body`. */
  readonly contentType?: string;
}

/**
 * A response to `request` per RFC 3261 §8.2.6: every Via in order, From, To (tagged when asked),
 * Call-ID and CSeq copied as written, Timestamp on a 100 (§8.2.6.1), and Record-Route on a 101-299 to
 * an initial INVITE (§12.1.1). Works from the `partial`
 * request of a parse error, whose header values may not parse: they are copied raw.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  opts: ResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  const source = request.headers;
  for (let i = 0; i < source.size; i++) if (source.keyAt(i) === 'via') headers.append('via', source.valueAt(i));
  const from = request.headers.get('from');
  if (from !== undefined) headers.append('from', from);
  const to = request.headers.get('to');
  if (to !== undefined) headers.append('to', addTag(to, status === 100 ? undefined : opts.toTag));
  for (const key of ['call-id', 'cseq'] as const) {
    const value = request.headers.get(key);
    if (value !== undefined) headers.append(key, value);
  }
  if (status === 100) {
    const timestamp = request.headers.get('timestamp');
    if (timestamp !== undefined) headers.append('timestamp', timestamp);
  } else if (status < 300 && request.method === 'INVITE' && request.toTag === null) {
    // §12.1.1: a response that establishes a dialog carries the request's Record-Route, all of it, in
    // order, so that the caller's route set keeps the proxies (an S-CSCF) that asked to stay in the path.
    for (let i = 0; i < source.size; i++) {
      if (source.keyAt(i) === 'record-route') headers.append('record-route', source.valueAt(i));
    }
  }
  for (const [name, value] of opts.headers ?? []) headers.append(name, value);
  if (opts.contentType !== undefined) headers.set('content-type', opts.contentType);
  return new SipResponse({ status, reason: reason ?? reasonPhrase(status), headers, body: opts.body });
}

const TAG_PARAM = /;\s*tag\s*=/i;

function addTag(to: string, tag: string | undefined): string {
  if (tag === undefined) return to;
  let hasTag: boolean;
  try {
    hasTag = parseNameAddr(to).params.has('tag');
  } catch {
    // A To that does not parse (a partial request): look for the parameter after the URI.
    const gt = to.lastIndexOf('>');
    hasTag = TAG_PARAM.test(gt < 0 ? to : to.slice(gt));
  }
  return hasTag ? to : `${to};tag=${tag}`;
}
