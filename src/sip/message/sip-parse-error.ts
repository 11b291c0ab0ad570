import { AppError } from '../../errors';

/**
 * A message that cannot be accepted as written. `status` is the response the server gives when
 * the message is a request it can still answer (400 by default; 505 bad version; 513 too large;
 * 416 unsupported URI scheme...). `partial` holds what was read, so an answer can be built.
 */
export class SipParseError extends AppError {
  constructor(
    message: string,
    readonly status: number = 400,
    readonly reason: string = 'Bad Request',
  ) {
    super('SIP.PARSE', message);
  }
}
