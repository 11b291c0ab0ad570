import { AppError } from '../../errors';
import type { SipRequest } from './sip-message';

/**
 * A message that cannot be accepted as written. `status` is the response the server gives when
 * the message is a request it can still answer (400 by default; 505 bad version; 513 too large;
 * 416 unsupported URI scheme...). `partial` holds what was read, so an answer can be built.
 */
export class SipParseError extends AppError {
  /**
   * The request as far as it could be read (start line and raw header fields), when the failure
   * happened after the start line of a request. Absent for responses: those are dropped.
   */
  partial?: SipRequest;

  constructor(
    message: string,
    readonly status: number = 400,
    readonly reason: string = 'Bad Request',
    options?: { partial?: SipRequest; cause?: unknown },
  ) {
    super('SIP.PARSE', message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.partial) this.partial = options.partial;
  }
}
