/**
 * The one error base of the application. Every expected failure carries a stable `code`
 * (e.g. `CONFIG.INVALID`, `SIP.PARSE`) so callers branch on codes, never on messages.
 */
export class AppError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** What was thrown or rejected with, as an Error. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
