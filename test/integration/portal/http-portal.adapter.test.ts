import assert from 'node:assert/strict';
import type { OutboxMessage } from '../../../src/cmr/model';
import { HttpPortalClient } from '../../../src/portal/http-portal.adapter';
import { verifyPortalSignature } from '../../../src/portal/portal-signature';
import { FakePortalServer } from '../../support/fake-portal-server';
import { LogLines } from '../../unit/portal/log-lines';

function aMessage(id: string): OutboxMessage {
  return {
    id,
    topic: 'copy-record',
    payload: { copyId: `copy-${id}`, requester: '+15550001002', resourceId: 'summer-breeze', outcome: 'copied' },
    createdAt: '2026-01-01T00:00:00.000Z',
    attempts: 0,
    nextAttemptAt: '2026-01-01T00:00:00.000Z',
    deliveredAt: null,
  };
}

describe('HTTP portal client against the test portal', () => {
  let portal: FakePortalServer;
  let client: HttpPortalClient;

  beforeEach(async () => {
    portal = await FakePortalServer.start();
    client = new HttpPortalClient({ url: portal.url, timeoutMs: 300, logger: new LogLines() });
  });

  afterEach(async () => {
    await client.close();
    await portal.close();
  });

  it('POSTs the payload as JSON with the outbox id as Idempotency-Key and counts a 2xx as delivered', async () => {
    const message = aMessage('ob-1');
    assert.deepEqual(await client.deliver(message), { status: 'delivered' });
    assert.deepEqual(portal.requests, [
      {
        idempotencyKey: 'ob-1',
        topic: 'copy-record',
        contentType: 'application/json',
        body: message.payload,
        status: 200,
        signature: undefined,
        signatureValid: null,
      },
    ]);
  });

  describe('with portal.hmacSecret', () => {
    const SECRET = 'portal-shared-secret-0123456789';
    let log: LogLines;
    let signing: HttpPortalClient;
    beforeEach(() => {
      log = new LogLines();
      signing = new HttpPortalClient({ url: portal.url, timeoutMs: 300, logger: log, hmacSecret: SECRET });
    });
    afterEach(async () => {
      await signing.close();
    });

    it('signs the exact body bytes with HMAC-SHA256 in X-Cmr-Signature, and the portal verifies it', async () => {
      portal.secret = SECRET;
      const message = aMessage('ob-signed');
      assert.deepEqual(await signing.deliver(message), { status: 'delivered' });
      const [request] = portal.requests;
      assert.equal(request?.signatureValid, true);
      assert.match(request?.signature ?? '', /^sha256=[0-9a-f]{64}$/);
      const body = Buffer.from(JSON.stringify(message.payload), 'utf8');
      assert.equal(verifyPortalSignature(SECRET, body, request?.signature), true);
      assert.equal(verifyPortalSignature('another secret', body, request?.signature), false);
    });

    it('is refused by a portal that expects another secret, and an unsigned client too', async () => {
      portal.secret = 'the portal has another secret';
      assert.equal((await signing.deliver(aMessage('ob-wrong'))).status, 'rejected');
      assert.equal((await client.deliver(aMessage('ob-unsigned'))).status, 'rejected');
      assert.deepEqual(
        portal.requests.map((r) => [r.status, r.signatureValid]),
        [
          [401, false],
          [401, false],
        ],
      );
      assert.equal(portal.accepted.length, 0);
    });

    it('never writes the secret to the log', async () => {
      await signing.deliver(aMessage('ob-1'));
      await portal.goDown();
      await signing.deliver(aMessage('ob-2'));
      assert.ok(log.lines.length > 0);
      assert.doesNotMatch(JSON.stringify(log.lines), new RegExp(SECRET));
    });
  });

  it('asks for a retry when the portal answers 503, 429 or 408', async () => {
    for (const status of [503, 429, 408]) {
      portal.failWith(status);
      const delivery = await client.deliver(aMessage(`ob-${status}`));
      assert.deepEqual(delivery, { status: 'retry', detail: `HTTP ${status} {"status":${status}}` });
    }
  });

  it('gives up on a record the portal refuses with another 4xx', async () => {
    portal.rejectKeys.add('ob-bad');
    const delivery = await client.deliver(aMessage('ob-bad'));
    assert.equal(delivery.status, 'rejected');
    assert.equal(portal.accepted.length, 0);
  });

  it('asks for a retry when the portal is down, and delivers once it is back', async () => {
    await portal.goDown();
    const down = await client.deliver(aMessage('ob-1'));
    assert.equal(down.status, 'retry');
    assert.match(down.status === 'retry' ? down.detail : '', /ECONNREFUSED/);
    await portal.comeBack();
    assert.deepEqual(await client.deliver(aMessage('ob-1')), { status: 'delivered' });
  });

  it('asks for a retry when the portal does not answer within timeoutMs', async () => {
    portal.delayMs = 1000;
    const started = Date.now();
    const delivery = await client.deliver(aMessage('ob-slow'));
    assert.equal(delivery.status, 'retry');
    assert.ok(Date.now() - started < 900);
  });
});
