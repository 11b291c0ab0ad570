import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { ApiError } from '../../../src/api/api-error';
import { isJsonContentType, readJsonBody } from '../../../src/api/json-body';

function fakeRequest(chunks: (string | Buffer)[], headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the promise to reject');
}

const json = { 'content-type': 'application/json' };

describe('readJsonBody', () => {
  it('parses a JSON document sent in several chunks', async () => {
    const body = await readJsonBody(fakeRequest(['{"a":', '[1,2]', '}'], json), { maxBytes: 100 });
    assert.deepEqual(body, { a: [1, 2] });
  });

  it('accepts a charset parameter and +json media types', async () => {
    assert.deepEqual(
      await readJsonBody(fakeRequest(['1'], { 'content-type': 'application/json; charset=utf-8' }), { maxBytes: 9 }),
      1,
    );
    assert.equal(isJsonContentType('application/merge-patch+json'), true);
  });

  it('answers 415 for a body that is not JSON or has no content type', async () => {
    assert.equal(
      (await rejection(readJsonBody(fakeRequest(['a=1'], { 'content-type': 'text/plain' }), { maxBytes: 9 }))).status,
      415,
    );
    assert.equal((await rejection(readJsonBody(fakeRequest(['{}'], {}), { maxBytes: 9 }))).status, 415);
  });

  it('answers 413 when the announced length is over the cap, without reading', async () => {
    const err = await rejection(
      readJsonBody(fakeRequest(['{}'], { ...json, 'content-length': '1000' }), { maxBytes: 10 }),
    );
    assert.equal(err.status, 413);
    assert.equal(err.headers.Connection, 'close');
  });

  it('answers 413 when more bytes arrive than the cap, even without a length', async () => {
    const err = await rejection(readJsonBody(fakeRequest(['{"a":"', 'x'.repeat(50), '"}'], json), { maxBytes: 20 }));
    assert.equal(err.status, 413);
    assert.equal(err.code, 'API.BODY_TOO_LARGE');
  });

  it('answers 400 naming the parse error for malformed JSON', async () => {
    const err = await rejection(readJsonBody(fakeRequest(['{"a":'], json), { maxBytes: 100 }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'API.MALFORMED_JSON');
    assert.equal(err.problems[0]?.field, '(body)');
  });

  it('answers 400 for an empty body and for bytes that are not UTF-8', async () => {
    assert.equal((await rejection(readJsonBody(fakeRequest([], json), { maxBytes: 100 }))).status, 400);
    const bad = Buffer.from([0x22, 0xff, 0xfe, 0x22]);
    assert.equal((await rejection(readJsonBody(fakeRequest([bad], json), { maxBytes: 100 }))).status, 400);
  });
});
