import type { Problem } from '../cmr/problem';
import { AppError } from '../errors';

/** One thing wrong with a request: where (a JSON path, or `query.limit`, `path.identity`) and what. */
export type { Problem };

/**
 * An expected failure of an API request, already decided at the edge: the HTTP status, a stable
 * code (`API.VALIDATION`, `API.NOT_FOUND`, ...), a message and, for input errors, the problems.
 */
export class ApiError extends AppError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly problems: readonly Problem[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly problems?: readonly Problem[];
  };
}

export function errorBody(code: string, message: string, problems: readonly Problem[] = []): ErrorBody {
  return { error: problems.length > 0 ? { code, message, problems } : { code, message } };
}

/** 400: the request itself is malformed (bad JSON, bad query or path parameter). */
export function badRequest(message: string, problems: readonly Problem[] = []): ApiError {
  return new ApiError(400, 'API.BAD_REQUEST', message, problems);
}

/** 422: a well-formed JSON document that does not describe a valid entity. */
export function validationFailed(problems: readonly Problem[]): ApiError {
  return new ApiError(422, 'API.VALIDATION', 'the request document is not valid', problems);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'API.NOT_FOUND', message);
}
