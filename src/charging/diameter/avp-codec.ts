import { DiameterError } from './diameter-error';
import { lookupAvp, RESULT, type AvpDefinition, type AvpType } from './diameter-dictionary';
import { bytesToIp, ipToBytes } from './ip-address';

/**
 * Diameter AVPs (RFC 6733 §4): encoding of the typed values of §4.2/§4.3, the AVP header with its
 * V/M/P flags and optional Vendor-ID, 4-byte padding, and Grouped AVPs (§4.4), which are decoded
 * eagerly when the dictionary knows them as Grouped.
 */
export interface Avp {
  readonly code: number;
  /** 0 for IETF AVPs (V flag clear). */
  readonly vendorId: number;
  readonly mandatory: boolean;
  readonly protected: boolean;
  /** The AVP data, without header or padding. */
  readonly data: Buffer;
  /** The members of a Grouped AVP the dictionary knows; null for any other AVP. */
  readonly members: readonly Avp[] | null;
}

/** The JavaScript value of each AVP type. */
export type AvpValue<T extends AvpType> = T extends 'OctetString'
  ? Buffer
  : T extends 'UTF8String' | 'DiameterIdentity' | 'DiameterURI' | 'Address'
    ? string
    : T extends 'Unsigned64' | 'Integer64'
      ? bigint
      : T extends 'Time'
        ? Date
        : T extends 'Grouped'
          ? readonly Avp[]
          : number;

/** What `avp()` accepts: the value, plus a string for OctetString and a safe integer for 64-bit types. */
export type AvpInput<T extends AvpType> = T extends 'OctetString'
  ? Buffer | string
  : T extends 'Unsigned64' | 'Integer64'
    ? bigint | number
    : AvpValue<T>;

export interface AvpDecodeLimits {
  /** AVPs in one message, counting the members of grouped AVPs. */
  readonly maxAvps: number;
  /** Nesting of grouped AVPs. */
  readonly maxDepth: number;
}

export const DEFAULT_AVP_LIMITS: AvpDecodeLimits = { maxAvps: 4096, maxDepth: 16 };

const FLAG_VENDOR = 0x80;
const FLAG_MANDATORY = 0x40;
const FLAG_PROTECTED = 0x20;
const MAX_AVP_LENGTH = 0xffffff;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;
const TWO_POW_32 = 0x1_0000_0000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A typed AVP from its dictionary definition; throws `DIAMETER.ENCODE` for a value its type cannot hold. */
export function avp<T extends AvpType>(
  definition: AvpDefinition<T>,
  value: AvpInput<T>,
  options: { protected?: boolean } = {},
): Avp {
  const members = definition.type === 'Grouped' ? (value as readonly Avp[]) : null;
  return {
    code: definition.code,
    vendorId: definition.vendorId,
    mandatory: definition.mandatory,
    protected: options.protected ?? false,
    data: members ? encodeAvps(members) : encodeValue(definition, value),
    members,
  };
}

function encodeError(definition: AvpDefinition, value: unknown): DiameterError {
  return new DiameterError('DIAMETER.ENCODE', `${definition.name}: ${String(value)} is not a valid ${definition.type}`);
}

function integerBuffer(definition: AvpDefinition, value: unknown, bytes: 4 | 8, signed: boolean): Buffer {
  const out = Buffer.alloc(bytes);
  if (bytes === 4) {
    const min = signed ? -0x8000_0000 : 0;
    const max = signed ? 0x7fff_ffff : 0xffff_ffff;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw encodeError(definition, value);
    }
    if (signed) out.writeInt32BE(value);
    else out.writeUInt32BE(value);
    return out;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw encodeError(definition, value);
  if (typeof value !== 'number' && typeof value !== 'bigint') throw encodeError(definition, value);
  const big = BigInt(value);
  const [min, max] = signed ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
  if (big < min || big > max) throw encodeError(definition, value);
  if (signed) out.writeBigInt64BE(big);
  else out.writeBigUInt64BE(big);
  return out;
}

function encodeValue(definition: AvpDefinition, value: unknown): Buffer {
  switch (definition.type) {
    case 'OctetString':
      if (Buffer.isBuffer(value)) return value;
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      throw encodeError(definition, value);
    case 'UTF8String':
    case 'DiameterURI':
      if (typeof value !== 'string') throw encodeError(definition, value);
      return Buffer.from(value, 'utf8');
    case 'DiameterIdentity':
      if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) throw encodeError(definition, value);
      return Buffer.from(value, 'ascii');
    case 'Unsigned32':
    case 'Integer32':
    case 'Enumerated':
      return integerBuffer(definition, value, 4, definition.type !== 'Unsigned32');
    case 'Unsigned64':
    case 'Integer64':
      return integerBuffer(definition, value, 8, definition.type === 'Integer64');
    case 'Float32':
    case 'Float64': {
      if (typeof value !== 'number') throw encodeError(definition, value);
      const out = Buffer.alloc(definition.type === 'Float32' ? 4 : 8);
      if (definition.type === 'Float32') out.writeFloatBE(value);
      else out.writeDoubleBE(value);
      return out;
    }
    case 'Address': {
      const bytes = typeof value === 'string' ? ipToBytes(value) : null;
      if (!bytes) throw encodeError(definition, value);
      const family = Buffer.alloc(2);
      family.writeUInt16BE(bytes.length === 4 ? 1 : 2);
      return Buffer.concat([family, bytes]);
    }
    case 'Time': {
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw encodeError(definition, value);
      // RFC 6733 §4.3.1: the first four bytes of an NTP timestamp; from 2036 on it wraps (RFC 5905 era 1),
      // so the 32 bits cover 1968-01-20 to 2104-02-26 (see the decoder).
      const seconds = Math.floor(value.getTime() / 1000) + NTP_UNIX_OFFSET;
      if (seconds < 0x8000_0000 || seconds >= TWO_POW_32 + 0x8000_0000) throw encodeError(definition, value);
      const out = Buffer.alloc(4);
      out.writeUInt32BE(seconds % TWO_POW_32);
      return out;
    }
    case 'Grouped':
      throw encodeError(definition, value);
  }
}

/** An AVP with raw data, for codes outside the dictionary. */
export function rawAvp(fields: Omit<Avp, 'members' | 'protected'> & { protected?: boolean }): Avp {
  return { protected: false, ...fields, members: null };
}

/** One AVP on the wire: header, data and zero padding to a multiple of 4 bytes. */
export function encodeAvp(a: Avp): Buffer {
  const headerLength = a.vendorId !== 0 ? 12 : 8;
  const length = headerLength + a.data.length;
  if (length > MAX_AVP_LENGTH) {
    throw new DiameterError('DIAMETER.ENCODE', `AVP ${a.code} is longer than ${MAX_AVP_LENGTH} bytes`);
  }
  const out = Buffer.alloc((length + 3) & ~3);
  out.writeUInt32BE(a.code, 0);
  out[4] =
    (a.vendorId !== 0 ? FLAG_VENDOR : 0) | (a.mandatory ? FLAG_MANDATORY : 0) | (a.protected ? FLAG_PROTECTED : 0);
  out.writeUIntBE(length, 5, 3);
  if (a.vendorId !== 0) out.writeUInt32BE(a.vendorId, 8);
  a.data.copy(out, headerLength);
  return out;
}

export function encodeAvps(avps: readonly Avp[]): Buffer {
  return Buffer.concat(avps.map(encodeAvp));
}

function malformed(message: string, resultCode: number): DiameterError {
  return new DiameterError('DIAMETER.MALFORMED', message, { resultCode });
}

/**
 * The AVPs in `buf` (a message body or a grouped AVP's data). Throws `DIAMETER.MALFORMED` for a
 * truncated or overlong AVP and `DIAMETER.TOO_LARGE` past `limits`; never anything else.
 */
export function decodeAvps(buf: Buffer, limits: AvpDecodeLimits = DEFAULT_AVP_LIMITS): Avp[] {
  return decodeLevel(buf, limits, { count: 0 }, 0);
}

function decodeLevel(buf: Buffer, limits: AvpDecodeLimits, seen: { count: number }, depth: number): Avp[] {
  if (depth > limits.maxDepth) {
    throw new DiameterError('DIAMETER.TOO_LARGE', `grouped AVPs nested deeper than ${limits.maxDepth}`, {
      resultCode: RESULT.UNABLE_TO_COMPLY,
    });
  }
  const out: Avp[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < 8) throw malformed('truncated AVP header', RESULT.INVALID_AVP_LENGTH);
    const code = buf.readUInt32BE(offset);
    const flags = buf[offset + 4] ?? 0;
    const length = buf.readUIntBE(offset + 5, 3);
    const hasVendor = (flags & FLAG_VENDOR) !== 0;
    const headerLength = hasVendor ? 12 : 8;
    if (length < headerLength || offset + length > buf.length) {
      throw malformed(`AVP ${code} has an invalid length ${length}`, RESULT.INVALID_AVP_LENGTH);
    }
    seen.count += 1;
    if (seen.count > limits.maxAvps) {
      throw new DiameterError('DIAMETER.TOO_LARGE', `more than ${limits.maxAvps} AVPs`, {
        resultCode: RESULT.UNABLE_TO_COMPLY,
      });
    }
    const vendorId = hasVendor ? buf.readUInt32BE(offset + 8) : 0;
    const data = buf.subarray(offset + headerLength, offset + length);
    const isGrouped = lookupAvp(code, vendorId)?.type === 'Grouped';
    out.push({
      code,
      vendorId,
      mandatory: (flags & FLAG_MANDATORY) !== 0,
      protected: (flags & FLAG_PROTECTED) !== 0,
      data,
      members: isGrouped ? decodeLevel(data, limits, seen, depth + 1) : null,
    });
    // The last AVP of a grouped AVP may come without its padding; tolerate it (RFC 6733 §4.4 is loose).
    offset = Math.min(offset + ((length + 3) & ~3), buf.length);
  }
  return out;
}

function invalid(definition: AvpDefinition, problem: string, resultCode: number = RESULT.INVALID_AVP_LENGTH) {
  return new DiameterError('DIAMETER.INVALID_AVP', `${definition.name}: ${problem}`, { resultCode });
}

function expectLength(definition: AvpDefinition, data: Buffer, length: number): void {
  if (data.length !== length) throw invalid(definition, `expected ${length} bytes, got ${data.length}`);
}

/** The typed value of `a` read as `definition`'s type; throws `DIAMETER.INVALID_AVP` when the data does not fit. */
export function readAvp<T extends AvpType>(definition: AvpDefinition<T>, a: Avp): AvpValue<T> {
  return readValue(definition, a) as AvpValue<T>;
}

function readValue(definition: AvpDefinition, a: Avp): unknown {
  const { data } = a;
  switch (definition.type) {
    case 'OctetString':
      return data;
    case 'UTF8String':
    case 'DiameterURI':
      try {
        return strictUtf8.decode(data);
      } catch (err) {
        throw new DiameterError('DIAMETER.INVALID_AVP', `${definition.name}: invalid UTF-8`, {
          resultCode: RESULT.INVALID_AVP_VALUE,
          cause: err,
        });
      }
    case 'DiameterIdentity': {
      const text = data.toString('latin1');
      if (!/^[\x21-\x7e]+$/.test(text)) throw invalid(definition, 'not an ASCII identity', RESULT.INVALID_AVP_VALUE);
      return text;
    }
    case 'Unsigned32':
      expectLength(definition, data, 4);
      return data.readUInt32BE(0);
    case 'Integer32':
    case 'Enumerated':
      expectLength(definition, data, 4);
      return data.readInt32BE(0);
    case 'Unsigned64':
      expectLength(definition, data, 8);
      return data.readBigUInt64BE(0);
    case 'Integer64':
      expectLength(definition, data, 8);
      return data.readBigInt64BE(0);
    case 'Float32':
      expectLength(definition, data, 4);
      return data.readFloatBE(0);
    case 'Float64':
      expectLength(definition, data, 8);
      return data.readDoubleBE(0);
    case 'Address': {
      if (data.length < 2) throw invalid(definition, 'no address family');
      const family = data.readUInt16BE(0);
      const bytes = data.subarray(2);
      if ((family === 1 && bytes.length === 4) || (family === 2 && bytes.length === 16)) return bytesToIp(bytes);
      throw invalid(
        definition,
        `unsupported address family ${family} or length ${bytes.length}`,
        RESULT.INVALID_AVP_VALUE,
      );
    }
    case 'Time': {
      expectLength(definition, data, 4);
      const ntp = data.readUInt32BE(0);
      // Values with the top bit clear are in NTP era 1 (from 2036-02-07), RFC 5905 §6.
      const unix = (ntp >= 0x8000_0000 ? ntp : ntp + TWO_POW_32) - NTP_UNIX_OFFSET;
      return new Date(unix * 1000);
    }
    case 'Grouped':
      if (a.members) return a.members;
      return decodeAvps(data);
  }
}

function matches(a: Avp, definition: AvpDefinition): boolean {
  return a.code === definition.code && a.vendorId === definition.vendorId;
}

export function findAvp(avps: readonly Avp[], definition: AvpDefinition): Avp | undefined {
  return avps.find((a) => matches(a, definition));
}

export function findAvps(avps: readonly Avp[], definition: AvpDefinition): Avp[] {
  return avps.filter((a) => matches(a, definition));
}

/** The typed value of the first `definition` AVP in `avps`, or undefined; throws `DIAMETER.INVALID_AVP` for bad data. */
export function findValue<T extends AvpType>(
  avps: readonly Avp[],
  definition: AvpDefinition<T>,
): AvpValue<T> | undefined {
  const found = findAvp(avps, definition);
  return found ? readAvp(definition, found) : undefined;
}
