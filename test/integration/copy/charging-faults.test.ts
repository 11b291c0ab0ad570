import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Call } from '../../../src/calls/call';
import { HttpChargingGateway } from '../../../src/charging/http-charging.adapter';
import { systemClock } from '../../../src/clock';
import { CopyRecovery } from '../../../src/cmr/copy-recovery';
import { CopyService } from '../../../src/cmr/copy-service';
import { copyIdempotencyKey, DEFAULT_PRIVACY, type Resource } from '../../../src/cmr/model';
import type { ChargingGateway } from '../../../src/cmr/ports/charging-gateway.port';
import type { CmrStore } from '../../../src/cmr/ports/cmr-store.port';
import { silentLogger } from '../../../src/observability/logger';
import { COPY_ANSWERS, type SipAnswer } from '../../../src/sip/copy/copy-outcome-responses';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { CreditControlServer, type CcsEndpoint } from '../../support/diameter/credit-control-server';
import { aGateway } from '../../support/diameter/diameter-test-fixtures';
import { FakeChfServer } from '../../support/fake-chf-server';

const CALLER = '+15550005001';
const OWNER = '+15550005002';
const TX_MS = 300;
const TONE: Resource = {
  id: 'fault-tone',
  title: 'Fault Tone',
  artist: 'Tests',
  provider: null,
  mediaUri: 'file:///tones/fault.wav',
  kind: 'audio',
  durationSeconds: 30,
  copyable: true,
  price: { amountMinor: 120, currency: 'EUR' },
  validFrom: null,
  validUntil: null,
};

/**
 * What the caller is answered when charging misbehaves (the SIP answer of a copy MESSAGE, from the one
 * outcome table), and what money moved, with the real adapters, the SQLite store, and the copy journal.
 */
describe('the caller’s answer when charging is down, slow, failing or failing over', function () {
  this.timeout(20_000);
  let dir: string;
  let store: CmrStore;
  let n = 0;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cmr-faults-'));
    store = await openSqliteStore({ path: path.join(dir, 'cmr.db') }, silentLogger());
    await store.putResource(TONE);
    for (const identity of [CALLER, OWNER]) {
      await store.putSubscriber({
        identity,
        displayName: null,
        status: 'active',
        cmrEnabled: true,
        libraryCapacity: 10,
        timeZone: 'UTC',
        privacy: DEFAULT_PRIVACY,
      });
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks for a copy on a fresh ringing call; the SIP answer, the journal state and the attempt key. */
  async function askCopy(charging: ChargingGateway): Promise<{ answer: SipAnswer; state: string; key: string }> {
    const copy = new CopyService({ store, charging, clock: systemClock, logger: silentLogger(), graceMs: 3000 });
    const now = Date.now();
    const call = new Call({
      id: `fault-call-${++n}@test`,
      parties: { caller: CALLER, called: OWNER, callerUri: `tel:${CALLER}`, calledUri: `tel:${OWNER}` },
      icid: `icid-${n}`,
      createdAt: now,
    });
    call.present(TONE, now);
    const result = await copy.requestCopy({ call, trigger: 'message', at: now });
    const key = copyIdempotencyKey(call.id, CALLER, TONE.id);
    const state = (await store.getCopyAttempt(key))?.state ?? 'none';
    return { answer: COPY_ANSWERS[result.outcome], state, key };
  }

  function recovery(charging: ChargingGateway): CopyRecovery {
    return new CopyRecovery({
      store,
      charging,
      clock: systemClock,
      logger: silentLogger(),
      minAgeMs: 0,
      intervalMs: 1000,
      maxTries: 3,
    });
  }

  const libraryCount = () => store.countLibrary(CALLER);

  describe('Diameter Ro towards a primary and a secondary OCS front-end', () => {
    let ccs: CreditControlServer;
    let secondary: CcsEndpoint;
    let gateway: ReturnType<typeof aGateway>;

    beforeEach(async () => {
      ccs = await CreditControlServer.start();
      secondary = await ccs.addEndpoint();
      ccs.setBalance(CALLER, 1000);
      const at = (e: CcsEndpoint) => ({ host: '127.0.0.1', port: e.port });
      gateway = aGateway([at(ccs.primary), at(secondary)], silentLogger(), { txMs: TX_MS, connectTimeoutMs: 500 });
      assert.equal(await gateway.waitUntilReady(2000), true);
    });
    afterEach(async () => {
      await gateway.close();
      await ccs.stop();
    });

    /** Stops front-ends and waits until the gateway has seen their connections go. */
    async function stop(...endpoints: CcsEndpoint[]): Promise<void> {
      const which = endpoints.map((e) => ccs.endpoints.indexOf(e));
      for (const e of endpoints) await e.stop();
      for (let i = 0; i < 200 && which.some((w) => gateway.peerStates()[w]?.state === 'open'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it('copies through the secondary (200) when the primary is down, debiting once', async () => {
      await stop(ccs.primary);
      const { answer, state } = await askCopy(gateway);
      assert.deepEqual([answer.status, state], [200, 'copied']);
      assert.deepEqual(
        ccs.received.map((r) => r.retransmit),
        [false],
        'nothing was sent to the primary',
      );
      assert.deepEqual([ccs.ledger.length, await libraryCount()], [1, 1]);
    });

    it('copies (200) when the primary is slow past Tx: the secondary gets it with the T flag, one debit', async () => {
      ccs.primary.answerDelayMs = TX_MS * 3;
      const { answer, state } = await askCopy(gateway);
      assert.deepEqual([answer.status, state], [200, 'copied']);
      assert.deepEqual(
        ccs.received.map((r) => r.retransmit),
        [false, true],
      );
      await new Promise((r) => setTimeout(r, TX_MS * 3));
      assert.deepEqual([ccs.ledger.length, ccs.duplicates, ccs.balanceOf(CALLER)], [1, 1, 880]);
    });

    it('answers 503 with Retry-After and debits nothing when both front-ends are down', async () => {
      await stop(ccs.primary, secondary);
      const { answer, state } = await askCopy(gateway);
      assert.deepEqual([answer.status, answer.retryAfter, state], [503, 30, 'failed']);
      assert.deepEqual([ccs.ledger.length, await libraryCount()], [0, 0]);
    });

    it('answers 503 when both answer after Tx, then recovery finds the debit and refunds it', async () => {
      ccs.primary.answerDelayMs = TX_MS * 3;
      secondary.answerDelayMs = TX_MS * 3;
      const { answer, state, key } = await askCopy(gateway);
      assert.deepEqual([answer.status, state], [503, 'requested']);
      assert.equal(ccs.ledger.length, 1, 'the OCS debited; its answer came too late');
      ccs.primary.answerDelayMs = 0;
      secondary.answerDelayMs = 0;
      assert.equal((await recovery(gateway).runOnce()).refunded, 1);
      assert.deepEqual(
        ccs.ledger.map((e) => e.kind),
        ['debit', 'refund'],
      );
      assert.deepEqual([(await store.getCopyAttempt(key))?.state, ccs.balanceOf(CALLER)], ['refunded', 1000]);
      assert.equal(await libraryCount(), 0);
    });

    it('answers 402 for DIAMETER_CREDIT_LIMIT_REACHED and 503 for DIAMETER_UNABLE_TO_COMPLY, copying nothing', async () => {
      ccs.forcedResultCode = 4012;
      const poor = await askCopy(gateway);
      assert.deepEqual([poor.answer.status, poor.state], [402, 'failed']);
      ccs.forcedResultCode = 5012;
      const broken = await askCopy(gateway);
      assert.deepEqual([broken.answer.status, broken.state], [503, 'requested']);
      assert.deepEqual([ccs.ledger.length, await libraryCount()], [0, 0]);
    });
  });

  describe('an Nchf-like CHF over HTTP', () => {
    let chf: FakeChfServer;
    let gateway: HttpChargingGateway;

    beforeEach(async () => {
      chf = await FakeChfServer.start();
      chf.setBalance(CALLER, 1000);
      gateway = new HttpChargingGateway({ url: chf.url, timeoutMs: TX_MS, logger: silentLogger() });
    });
    afterEach(async () => {
      await gateway.close();
      await chf.close();
    });

    it('answers 503 and leaves nothing to recover when the CHF refuses connections', async () => {
      await chf.goDown();
      const { answer, state } = await askCopy(gateway);
      assert.deepEqual([answer.status, state], [503, 'failed']);
      assert.equal(chf.ledger.length, 0);
    });

    it('answers 503 when the CHF debits too late, then recovery refunds that debit under the same key', async () => {
      chf.delayMs = TX_MS * 2;
      chf.abandonWhenClientGone = false;
      const { answer, state, key } = await askCopy(gateway);
      assert.deepEqual([answer.status, state], [503, 'requested']);
      await chf.idle();
      chf.delayMs = 0;
      assert.equal((await recovery(gateway).runOnce()).refunded, 1);
      assert.deepEqual(
        chf.ledger.map((e) => [e.kind, e.idempotencyKey]),
        [
          ['debit', key],
          ['refund', `${key}:refund`],
        ],
      );
      assert.equal(chf.balanceOf(CALLER), 1000);
    });

    it('answers 503 for a CHF answering 500, and 200 once it is healthy again', async () => {
      chf.failWith(500);
      assert.equal((await askCopy(gateway)).answer.status, 503);
      chf.failWith(null);
      assert.equal((await askCopy(gateway)).answer.status, 200);
      assert.equal(chf.ledger.length, 1);
    });
  });
});
