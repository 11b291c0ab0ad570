import { detachedString } from './flat-string';
import { SipHeaders } from './sip-headers';
import { SipRequest } from './sip-message';

/**
 * What is kept of a request once only some of its headers will be read again (a CANCEL, an ACK, a
 * dialog built from it, the responses to it): those fields in their order, in strings of their own,
 * where it came from, and the body only if asked. A call keeps such requests for as long as it rings;
 * the whole request would keep its body and, for one parsed or built from a parsed one, the text of
 * the message it was cut from.
 */
export function requestTemplate(
  request: SipRequest,
  keys: ReadonlySet<string>,
  opts: {
    readonly keepBody?: boolean;
    /** Strings of their own already kept elsewhere (a dialog's Call-ID): a value equal to one is that one. */
    readonly shared?: readonly string[];
  } = {},
): SipRequest {
  const source = request.headers;
  let kept = 0;
  for (let i = 0; i < source.size; i++) if (keys.has(source.keyAt(i))) kept++;
  const slots = new Array<string>(kept * 3);
  let at = 0;
  for (let i = 0; i < source.size; i++) {
    const key = source.keyAt(i);
    if (!keys.has(key)) continue;
    slots[at++] = key;
    slots[at++] = source.nameAt(i);
    const value = source.valueAt(i);
    slots[at++] = opts.shared?.find((kept) => kept === value) ?? detachedString(value);
  }
  const template = new SipRequest({
    method: request.method,
    uri: detachedString(request.uri),
    headers: SipHeaders.adoptSlots(slots),
    body: opts.keepBody === true ? request.body : undefined,
  });
  template.source = request.source;
  return template;
}
