import assert from 'node:assert/strict';
import type { HttpExchange } from '../../../src/http/http-json-post';
import { portalDeliveryOf } from '../../../src/portal/http-portal.adapter';

const answer = (status: number, text = ''): HttpExchange => ({ kind: 'response', status, headers: {}, text });

describe('portal answers', () => {
  for (const status of [200, 201, 202, 204]) {
    it(`counts ${status} as delivered`, () => {
      assert.deepEqual(portalDeliveryOf(answer(status)), { status: 'delivered' });
    });
  }

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries after ${status}`, () => {
      assert.equal(portalDeliveryOf(answer(status)).status, 'retry');
    });
  }

  for (const status of [301, 400, 401, 403, 404, 409, 413, 422]) {
    it(`gives up on ${status}`, () => {
      assert.equal(portalDeliveryOf(answer(status)).status, 'rejected');
    });
  }

  it('retries after a timeout or a network failure, keeping what happened as the detail', () => {
    assert.deepEqual(portalDeliveryOf({ kind: 'failure', reason: 'timeout', detail: 'no answer within 5 ms' }), {
      status: 'retry',
      detail: 'timeout: no answer within 5 ms',
    });
    assert.equal(portalDeliveryOf({ kind: 'failure', reason: 'network', detail: 'ECONNREFUSED' }).status, 'retry');
  });

  it('keeps the start of the portal’s answer in the detail', () => {
    assert.deepEqual(portalDeliveryOf(answer(422, '{"error":"unknown resource"}')), {
      status: 'rejected',
      detail: 'HTTP 422 {"error":"unknown resource"}',
    });
  });
});
