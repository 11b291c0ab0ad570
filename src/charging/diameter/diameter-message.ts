import { decodeAvps, DEFAULT_AVP_LIMITS, encodeAvps, type Avp, type AvpDecodeLimits } from './avp-codec';
import { DiameterError } from './diameter-error';
import { RESULT } from './diameter-dictionary';

/** RFC 6733 §3: the 20-byte header. */
export const HEADER_LENGTH = 20;
export const DIAMETER_VERSION = 1;
/** The largest length the 24-bit Message Length field can carry. */
export const MAX_WIRE_LENGTH = 0xffffff;

export const MESSAGE_FLAG = { REQUEST: 0x80, PROXIABLE: 0x40, ERROR: 0x20, RETRANSMIT: 0x10 } as const;

export interface DiameterMessage {
  readonly commandCode: number;
  readonly applicationId: number;
  /** R: a request (else an answer). */
  readonly request: boolean;
  /** P: may be proxied, relayed or redirected. */
  readonly proxiable: boolean;
  /** E: an answer carrying a protocol error (3xxx). */
  readonly error: boolean;
  /** T: a possible retransmission after a link failover (RFC 6733 §3, §5.5.4). */
  readonly retransmit: boolean;
  readonly hopByHopId: number;
  readonly endToEndId: number;
  readonly avps: readonly Avp[];
}

/** The fixed header fields, readable even when the AVPs that follow are malformed. */
export type DiameterHeader = Omit<DiameterMessage, 'avps'> & { readonly length: number };

export interface MessageDecodeLimits extends AvpDecodeLimits {
  readonly maxMessageBytes: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageDecodeLimits = { ...DEFAULT_AVP_LIMITS, maxMessageBytes: 65_536 };

export function encodeMessage(message: DiameterMessage): Buffer {
  const body = encodeAvps(message.avps);
  const length = HEADER_LENGTH + body.length;
  if (length > MAX_WIRE_LENGTH) {
    throw new DiameterError('DIAMETER.ENCODE', `message of ${length} bytes exceeds the 24-bit length field`);
  }
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = DIAMETER_VERSION;
  header.writeUIntBE(length, 1, 3);
  header[4] =
    (message.request ? MESSAGE_FLAG.REQUEST : 0) |
    (message.proxiable ? MESSAGE_FLAG.PROXIABLE : 0) |
    (message.error ? MESSAGE_FLAG.ERROR : 0) |
    (message.retransmit ? MESSAGE_FLAG.RETRANSMIT : 0);
  header.writeUIntBE(message.commandCode, 5, 3);
  header.writeUInt32BE(message.applicationId >>> 0, 8);
  header.writeUInt32BE(message.hopByHopId >>> 0, 12);
  header.writeUInt32BE(message.endToEndId >>> 0, 16);
  return Buffer.concat([header, body]);
}

/**
 * The Message Length of the header starting `buf` (at least 4 bytes: version and length), checked:
 * version 1, at least the header, a multiple of 4, at most `maxMessageBytes`. Throws `DiameterError`.
 */
export function messageLength(buf: Buffer, maxMessageBytes: number): number {
  const version = buf[0];
  if (version !== DIAMETER_VERSION) {
    throw new DiameterError('DIAMETER.UNSUPPORTED_VERSION', `version ${String(version)}`, {
      resultCode: RESULT.UNSUPPORTED_VERSION,
    });
  }
  const length = buf.readUIntBE(1, 3);
  if (length < HEADER_LENGTH || length % 4 !== 0) {
    throw new DiameterError('DIAMETER.MALFORMED', `invalid message length ${length}`, {
      resultCode: RESULT.INVALID_MESSAGE_LENGTH,
    });
  }
  if (length > maxMessageBytes) {
    throw new DiameterError('DIAMETER.TOO_LARGE', `message of ${length} bytes exceeds ${maxMessageBytes}`, {
      resultCode: RESULT.INVALID_MESSAGE_LENGTH,
    });
  }
  return length;
}

/**
 * The header of a message whose first bytes are in `buf`, its length checked by `messageLength`.
 * The reserved flag bits are ignored (RFC 6733 §3). Throws `DiameterError` only.
 */
export function decodeHeader(buf: Buffer, maxMessageBytes: number): DiameterHeader {
  if (buf.length < HEADER_LENGTH) {
    throw new DiameterError('DIAMETER.MALFORMED', 'truncated header', { resultCode: RESULT.INVALID_MESSAGE_LENGTH });
  }
  const length = messageLength(buf, maxMessageBytes);
  const flags = buf[4] ?? 0;
  const header: DiameterHeader = {
    length,
    request: (flags & MESSAGE_FLAG.REQUEST) !== 0,
    proxiable: (flags & MESSAGE_FLAG.PROXIABLE) !== 0,
    error: (flags & MESSAGE_FLAG.ERROR) !== 0,
    retransmit: (flags & MESSAGE_FLAG.RETRANSMIT) !== 0,
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    hopByHopId: buf.readUInt32BE(12),
    endToEndId: buf.readUInt32BE(16),
  };
  return header;
}

/** One whole message (exactly `length` bytes). Throws `DiameterError` only. */
export function decodeMessage(buf: Buffer, limits: MessageDecodeLimits = DEFAULT_MESSAGE_LIMITS): DiameterMessage {
  const { length, ...header } = decodeHeader(buf, limits.maxMessageBytes);
  if (buf.length !== length) {
    throw new DiameterError('DIAMETER.MALFORMED', `message length ${length} but ${buf.length} bytes`, {
      resultCode: RESULT.INVALID_MESSAGE_LENGTH,
    });
  }
  if (header.request && header.error) {
    throw new DiameterError('DIAMETER.MALFORMED', 'a request with the E bit set', {
      resultCode: RESULT.INVALID_HDR_BITS,
    });
  }
  return { ...header, avps: decodeAvps(buf.subarray(HEADER_LENGTH, length), limits) };
}
