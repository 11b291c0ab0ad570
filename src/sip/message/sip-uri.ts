/**
 * SIP, SIPS (RFC 3261 §19.1) and tel (RFC 3966) URIs. Parameters keep their order; names are
 * compared case-insensitively (stored lower-case), values as written. A parameter without a value
 * (`;lr`) has the value `null`.
 */
export interface SipUri {
  readonly scheme: string; // lower-case: 'sip' | 'sips' | 'tel' | other absolute-URI schemes
  readonly user: string | null; // percent-encoded as written; for tel: the number
  readonly password: string | null;
  readonly host: string; // lower-case; IPv6 references keep their brackets: '[::1]'; '' for tel:
  readonly port: number | null;
  readonly params: ReadonlyMap<string, string | null>;
  readonly headers: ReadonlyMap<string, string>;
}

export declare function parseUri(text: string): SipUri;
export declare function formatUri(uri: SipUri): string;
