const DIGIT = /^[0-9*#A-Da-d]$/;

/**
 * The digit of an in-call DTMF INFO body, or null. `application/dtmf-relay` is not standardised and
 * arrives as `Signal=5\r\nDuration=160`, with bare LF, odd case, spaces around `=` and no Duration;
 * `application/dtmf` (and the 3GPP infoDtmf package) carries the digit alone, or `Signal=` as well.
 */
export function dtmfDigit(contentType: string | null, body: Buffer): string | null {
  if (contentType !== 'application/dtmf-relay' && contentType !== 'application/dtmf') return null;
  const text = body.toString('utf8').trim();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) {
      const bare = line.trim();
      if (contentType === 'application/dtmf' && DIGIT.test(bare)) return bare.toUpperCase();
      continue;
    }
    if (line.slice(0, eq).trim().toLowerCase() !== 'signal') continue;
    const value = line.slice(eq + 1).trim();
    if (DIGIT.test(value)) return value.toUpperCase();
    // Some gateways send the RFC 4733 event code (10 for *, 11 for #) instead of the character.
    if (/^\d{1,2}$/.test(value)) return EVENT_CODES[Number(value)] ?? null;
    return null;
  }
  return null;
}

const EVENT_CODES: Readonly<Record<number, string>> = {
  10: '*',
  11: '#',
  12: 'A',
  13: 'B',
  14: 'C',
  15: 'D',
};
