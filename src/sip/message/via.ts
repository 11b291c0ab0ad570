/** One Via header value (RFC 3261 §20.42), `SIP/2.0/UDP host:port;branch=...;rport`. */
export interface Via {
  readonly protocol: string; // upper-case transport: 'UDP' | 'TCP' | 'TLS' | 'SCTP' | 'WS' | ...
  readonly host: string; // lower-case; IPv6 with brackets
  readonly port: number | null;
  readonly params: ReadonlyMap<string, string | null>;
}

export declare function parseVia(text: string): Via;
export declare function formatVia(via: Via): string;
