import { AppError } from '../../../src/errors';

export type SippHarnessErrorCode =
  | 'SIPP.INVALID_OPTIONS'
  | 'SIPP.NOT_LOOPBACK'
  | 'SIPP.SCENARIO_NOT_FOUND'
  | 'SIPP.SPAWN_FAILED'
  | 'SIPP.NOT_LISTENING'
  | 'SIPP.NO_FREE_PORT';

/** A misuse of the SIPp harness or a SIPp process that could not be started; never a scenario failure. */
export class SippHarnessError extends AppError {
  declare readonly code: SippHarnessErrorCode;

  constructor(code: SippHarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
