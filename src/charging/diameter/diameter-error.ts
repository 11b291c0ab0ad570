import { AppError } from '../../errors';

export type DiameterErrorCode =
  /** The bytes are not a well-formed Diameter message or AVP (RFC 6733 §3, §4.1). */
  | 'DIAMETER.MALFORMED'
  /** A message longer than the configured maximum, or more AVPs / deeper nesting than allowed. */
  | 'DIAMETER.TOO_LARGE'
  /** A header version other than 1 (RFC 6733 §3). */
  | 'DIAMETER.UNSUPPORTED_VERSION'
  /** A value that cannot be encoded as the AVP's type (out of range, not an IP address...). */
  | 'DIAMETER.ENCODE'
  /** An AVP whose data does not fit its dictionary type (wrong length, invalid UTF-8...). */
  | 'DIAMETER.INVALID_AVP';

/**
 * The only error the Diameter codec throws. `resultCode` is the RFC 6733 §7.1 Result-Code an answer
 * to the offending request would carry (e.g. 5014 DIAMETER_INVALID_AVP_LENGTH), or null when no
 * answer applies (an encoding problem on our side).
 */
export class DiameterError extends AppError {
  readonly resultCode: number | null;

  constructor(code: DiameterErrorCode, message: string, options: { resultCode?: number; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.resultCode = options.resultCode ?? null;
  }
}
