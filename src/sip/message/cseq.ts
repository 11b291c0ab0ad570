import { SipParseError } from './sip-parse-error';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

const CSEQ = /^\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*$/;

/** RFC 3261 §20.16: the number is a 32-bit unsigned integer, the method a token. */
export function parseCSeq(text: string): CSeq {
  const m = CSEQ.exec(text);
  const seq = m ? Number(m[1]) : NaN;
  if (!m || !(seq <= 0xffffffff)) throw new SipParseError(`invalid CSeq: ${JSON.stringify(text)}`);
  return { seq, method: m[2]! };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
