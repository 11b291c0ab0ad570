/**
 * Just enough reading of what the server sends (well-formed SIP) for the fuzz clients: the start line,
 * the header fields and the body, with stream framing by Content-Length. Deliberately separate from
 * src/sip/message, the code under test.
 */

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  m: 'contact',
};

export class WireMessage {
  private constructor(
    readonly startLine: string,
    private readonly fields: readonly (readonly [string, string])[],
    readonly body: Buffer,
  ) {}

  /** One message read from `data` (a datagram, or a frame), or null when it is not SIP. */
  static read(data: Buffer): WireMessage | null {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const lines = data.toString('latin1', 0, end).split('\r\n');
    const startLine = lines.shift() ?? '';
    if (!/^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0$)/.test(startLine)) return null;
    const fields: [string, string][] = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      fields.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
    }
    const length = Number(fields.find(([n]) => n === 'content-length')?.[1] ?? data.length - end - 4);
    return new WireMessage(startLine, fields, data.subarray(end + 4, end + 4 + length));
  }

  get isRequest(): boolean {
    return !this.startLine.startsWith('SIP/2.0 ');
  }

  /** The status of a response; 0 for a request. */
  get status(): number {
    return this.isRequest ? 0 : Number(this.startLine.slice(8, 11));
  }

  get reason(): string {
    return this.isRequest ? '' : this.startLine.slice(12);
  }

  /** The method of a request, or of the request a response answers (its CSeq). */
  get method(): string {
    return this.isRequest ? (this.startLine.split(' ')[0] ?? '') : (this.cseq.split(/\s+/)[1] ?? '');
  }

  get callId(): string {
    return this.header('call-id') ?? '';
  }

  get cseq(): string {
    return this.header('cseq') ?? '';
  }

  /** The first value of a header (compact forms read as long ones), or undefined. */
  header(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.fields.find(([n]) => n === key)?.[1];
  }

  /** Every field of a header, in order, as written (not split at commas). */
  headers(name: string): string[] {
    const key = name.toLowerCase();
    return this.fields.filter(([n]) => n === key).map(([, v]) => v);
  }

  /** The `tag` parameter of From or To. */
  tag(header: 'from' | 'to'): string | null {
    return /;\s*tag=([^;>\s,]+)/i.exec(this.header(header) ?? '')?.[1] ?? null;
  }
}

/** Cuts a TCP byte stream into messages by Content-Length (the server always sends it over TCP). */
export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WireMessage[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: WireMessage[] = [];
    for (;;) {
      // Keep-alive CRLFs (RFC 5626) between messages.
      let start = 0;
      while (start < this.pending.length && (this.pending[start] === 0x0d || this.pending[start] === 0x0a)) start++;
      if (start > 0) this.pending = this.pending.subarray(start);
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = this.pending.toString('latin1', 0, end);
      const length = Number(/^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head)?.[1] ?? 0);
      const total = end + 4 + length;
      if (this.pending.length < total) break;
      const message = WireMessage.read(this.pending.subarray(0, total));
      if (message) out.push(message);
      this.pending = this.pending.subarray(total);
    }
    return out;
  }
}
