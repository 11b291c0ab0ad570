import type { CallParties } from '../../calls/call';
import { normalizeIdentity } from '../../cmr/identity';
import { parseNameAddr } from '../message/name-addr';
import type { SipRequest } from '../message/sip-message';
import { formatUri } from '../message/sip-uri';

/**
 * Who calls whom, as an AS on the ISC interface reads it (3GPP TS 24.229 §5.7): from a trusted hop,
 * the caller is the P-Asserted-Identity (RFC 3325) and the called party the P-Served-User (RFC 5502)
 * or the Request-URI; from an untrusted one, only From and the Request-URI count.
 */
export function callParties(invite: SipRequest, trusted: boolean): CallParties {
  const asserted = trusted ? firstUri(invite.headers.getAll('p-asserted-identity'), true) : null;
  const callerUri = asserted ?? formatUri(invite.from.uri);
  const served = trusted ? firstUri(invite.headers.getAll('p-served-user'), false) : null;
  const calledUri = served ?? (isAddressable(invite.requestUri.scheme) ? invite.uri : formatUri(invite.to.uri));
  return {
    caller: isAnonymous(callerUri) ? null : normalizeIdentity(callerUri),
    called: normalizeIdentity(calledUri),
    callerUri,
    calledUri,
  };
}

/** The IMS Charging Identifier of a P-Charging-Vector (RFC 7315 §5.7): `icid-value=...`. */
export function chargingId(invite: SipRequest): string | null {
  const vector = invite.headers.get('p-charging-vector');
  if (!vector) return null;
  const m = /(?:^|;)\s*icid-value\s*=\s*("?)([^";\s]+)\1/i.exec(vector);
  return m?.[2] ?? null;
}

/** RFC 3323 §4.1.1.3: `sip:anonymous@anonymous.invalid`, or any `anonymous` user, hides the caller. */
function isAnonymous(uri: string): boolean {
  return /^sips?:anonymous@/i.test(uri) || /@anonymous\.invalid(?:[:;?>]|$)/i.test(uri);
}

function isAddressable(scheme: string): boolean {
  return scheme === 'sip' || scheme === 'sips' || scheme === 'tel';
}

/** The first parseable URI of a list of name-addr values; a tel: URI wins over a SIP one when `preferTel`. */
function firstUri(values: readonly string[], preferTel: boolean): string | null {
  const uris: string[] = [];
  for (const v of values) {
    try {
      uris.push(formatUri(parseNameAddr(v).uri));
    } catch {
      // An unreadable identity header is ignored, as if absent.
      continue;
    }
  }
  if (preferTel) {
    const tel = uris.find((u) => u.startsWith('tel:'));
    if (tel) return tel;
  }
  return uris[0] ?? null;
}
