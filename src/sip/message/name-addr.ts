import type { SipUri } from './sip-uri';

/**
 * A From/To/Contact/Route/Record-Route/P-Asserted-Identity value: name-addr or addr-spec
 * (RFC 3261 §20.10, §25.1), with header parameters (tag, expires, q...). Contact `*` is `star`.
 */
export interface NameAddr {
  readonly displayName: string | null; // unquoted, unescaped
  readonly uri: SipUri;
  readonly params: ReadonlyMap<string, string | null>;
}

export declare function parseNameAddr(text: string): NameAddr;
export declare function formatNameAddr(value: NameAddr): string;
