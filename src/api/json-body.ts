import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './api-error';

export interface JsonBodyOptions {
  readonly maxBytes: number;
}

/** `application/json` or any `application/<something>+json`, parameters (charset) allowed. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'API.BODY_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`, [], {
    Connection: 'close',
  });
}

/**
 * Reads a JSON request body: 415 unless the content type is JSON, 413 as soon as more than
 * `maxBytes` arrive (or are announced in Content-Length), 400 for an empty body, bad UTF-8 or bad JSON.
 * On 413 the rest of the body is not read; the answer carries `Connection: close`.
 */
export async function readJsonBody(req: IncomingMessage, opts: JsonBodyOptions): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new ApiError(415, 'API.UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > opts.maxBytes) throw tooLarge(opts.maxBytes);

  const body = await collect(req, opts.maxBytes);
  const total = body.length;
  if (total === 0)
    throw badRequest('the request body is empty', [{ field: '(body)', problem: 'a JSON document is required' }]);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (err) {
    throw new ApiError(400, 'API.BAD_REQUEST', 'the request body is not valid UTF-8', [], {}, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(
      400,
      'API.MALFORMED_JSON',
      'the request body is not valid JSON',
      [{ field: '(body)', problem: (err as Error).message }],
      {},
      { cause: err },
    );
  }
}

/**
 * Collects the body with events rather than `for await`, whose early exit would destroy the
 * socket before the 413 could be sent. Past the cap, the rest is drained and discarded.
 */
function collect(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        finish(() => reject(tooLarge(maxBytes)));
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(() => resolve(Buffer.concat(chunks, total)));
    const onError = (err: Error): void =>
      finish(() =>
        reject(new ApiError(400, 'API.BAD_REQUEST', 'the request body could not be read', [], {}, { cause: err })),
      );
    const onAborted = (): void => onError(new Error('request aborted'));
    function finish(settle: () => void): void {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      settle();
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
