import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../../src/clock';
import { COPY_CRASH_STEPS, type CopyCrashStep } from '../../../src/cmr/copy-attempt';
import { copyIdempotencyKey, DEFAULT_PRIVACY, type Resource } from '../../../src/cmr/model';
import { silentLogger } from '../../../src/observability/logger';
import type { Dialog } from '../../../src/sip/dialog/dialog';
import { SipStack } from '../../../src/sip/sip-stack';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { CreditControlServer } from '../../support/diameter/credit-control-server';
import { FakeChfServer } from '../../support/fake-chf-server';
import { FakePortalServer } from '../../support/fake-portal-server';
import { testConfig, testLogger } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';
import { eventually, exitWithin, startServer, type ServerProcess } from './server-process';

const CALLER = '+15550004001';
const OWNER = '+15550004002';
const TOKEN = 'crash-token';
const SECRET = 'crash-test-portal-secret';
const TONE: Resource = {
  id: 'crash-tone',
  title: 'Crash Tone',
  artist: 'Tests',
  provider: null,
  mediaUri: 'file:///tones/crash.wav',
  kind: 'audio',
  durationSeconds: 30,
  copyable: true,
  price: { amountMinor: 150, currency: 'USD' },
  validFrom: null,
  validUntil: null,
};

/** What the journal holds when the process died at each step (and how many debits the charging system made). */
const AT_THE_CRASH: Record<CopyCrashStep, { state: string; debits: number; outbox: number }> = {
  'after-requested': { state: 'requested', debits: 0, outbox: 0 },
  'after-debit': { state: 'requested', debits: 1, outbox: 0 },
  'after-charged': { state: 'charged', debits: 1, outbox: 0 },
  'after-copied': { state: 'copied', debits: 1, outbox: 1 },
};

/** The journal row and the outbox, read straight from the database file. */
function readDatabase(file: string, key: string): { state: string | null; outbox: number; delivered: number } {
  const db = new Database(file);
  try {
    const row = db.prepare('SELECT state FROM copy_attempts WHERE idempotency_key = ?').get(key) as
      { state: string } | undefined;
    const outbox = db.prepare('SELECT COUNT(*) AS n, COUNT(delivered_at) AS d FROM outbox').get() as {
      n: number;
      d: number;
    };
    return { state: row?.state ?? null, outbox: outbox.n, delivered: outbox.d };
  } finally {
    db.close();
  }
}

describe('exactly-once copies when the server is killed at each step and restarted', function () {
  this.timeout(120_000);
  let chf: FakeChfServer;
  let ccs: CreditControlServer;
  let portal: FakePortalServer;
  let callee: TestUas;
  let mediaServer: TestUas;
  let caller: SipStack;
  let dir: string;
  let dbFile: string;
  const servers: ServerProcess[] = [];

  before(async () => {
    chf = await FakeChfServer.start();
    ccs = await CreditControlServer.start();
    callee = await TestUas.start({ kind: 'ring-forever' });
    mediaServer = await TestUas.start({ kind: 'answer', ringMs: 0 });
  });
  after(async () => {
    await chf?.close();
    await ccs?.stop();
    await callee?.stop();
    await mediaServer?.stop();
  });

  beforeEach(async () => {
    portal = await FakePortalServer.start();
    portal.secret = SECRET;
    dir = mkdtempSync(path.join(tmpdir(), 'cmr-crash-'));
    dbFile = path.join(dir, 'cmr.db');
    const store = await openSqliteStore({ path: dbFile }, silentLogger());
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
    await store.putRingingRules(OWNER, { rules: [], defaultPlaylist: { order: 'sequential', resourceIds: [TONE.id] } });
    await store.close();
    chf.setBalance(CALLER, 10_000);
    ccs.setBalance(CALLER, 10_000);
    caller = await SipStack.start({
      config: testConfig().sip,
      logger: testLogger(),
      clock: systemClock,
      acceptedBodies: { MESSAGE: ['multipart/mixed', 'text/plain'], INVITE: ['application/sdp'] },
      delegate: { onRequest: (request) => void request.respond(200) },
    });
  });
  afterEach(async () => {
    for (const s of servers.splice(0))
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await caller?.close();
    await portal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function serverEnv(over: Record<string, string>): Record<string, string> {
    return {
      CMR_SIP_PORT: '0',
      CMR_HTTP_PORT: '0',
      CMR_HTTP_API_TOKEN: TOKEN,
      CMR_STORE_SQLITE_PATH: dbFile,
      CMR_STORE_SEED_FILE: '',
      CMR_B2BUA_NEXT_HOP: `sip:127.0.0.1:${callee.port('udp')}`,
      CMR_MEDIA_SERVER: `sip:127.0.0.1:${mediaServer.port('udp')}`,
      CMR_COPY_REQUIRE_CONFIRMATION: 'false',
      CMR_COPY_RECOVERY_MIN_AGE_MS: '0',
      CMR_COPY_RECOVERY_INTERVAL_MS: '200',
      CMR_CHARGING_KIND: 'http',
      CMR_CHARGING_URL: chf.url,
      CMR_PORTAL_URL: portal.url,
      CMR_PORTAL_POLL_INTERVAL_MS: '100',
      CMR_PORTAL_HMAC_SECRET: SECRET,
      ...over,
    };
  }

  async function start(over: Record<string, string>): Promise<ServerProcess> {
    const server = await startServer(serverEnv(over));
    servers.push(server);
    return server;
  }

  /** Calls the owner through `server`, waits for the CMR early media and presses the copy key; the Call-ID. */
  async function pressCopyDuringRinging(server: ServerProcess): Promise<string> {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${OWNER}@127.0.0.1:${server.sipPort('udp')}`,
      from: `sip:${CALLER}@127.0.0.1`,
      to: `sip:${OWNER}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await caller.ua.invite(invite);
    const early = await new Promise<Dialog>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 183 within 10 s:\n${server.output()}`)), 10_000);
      outgoing.onProvisional = (response, dialog) => {
        if (response.status === 183 && dialog) {
          clearTimeout(timer);
          resolve(dialog);
        }
      };
    });
    // The server may die before it answers the INFO: its answer is not awaited.
    caller.ua
      .requestInDialog(early, 'INFO', {
        body: Buffer.from('Signal=*\r\nDuration=160\r\n'),
        contentType: 'application/dtmf-relay',
      })
      .catch(() => undefined);
    return invite.callId;
  }

  const api = (server: ServerProcess, p: string) =>
    fetch(`http://127.0.0.1:${server.httpPort}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  async function libraryOf(server: ServerProcess, who: string): Promise<{ resourceId: string; acquisition: string }[]> {
    const res = await api(server, `/v1/subscribers/${encodeURIComponent(who)}/library`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { items: { resourceId: string; acquisition: string }[] }).items;
  }

  const httpLedger = () => chf.ledger.filter((e) => e.subscriber === `msisdn-${CALLER.slice(1)}`);

  for (const step of COPY_CRASH_STEPS) {
    it(`copies and charges exactly once when killed ${step.replace('-', ' ')}`, async () => {
      const ledgerBefore = httpLedger().length;
      const first = await start({ CMR_TESTING_CRASH_AT: step });
      const callId = await pressCopyDuringRinging(first);
      const key = copyIdempotencyKey(callId, CALLER, TONE.id);
      assert.deepEqual(await exitWithin(first, 15_000), { code: null, signal: 'SIGKILL' });

      const expected = AT_THE_CRASH[step];
      const atCrash = readDatabase(dbFile, key);
      assert.deepEqual(
        { state: atCrash.state, debits: httpLedger().length - ledgerBefore, outbox: atCrash.outbox },
        expected,
        'the process died at the step asked for',
      );
      assert.equal(atCrash.delivered, 0);

      const second = await start({});
      await portal.waitForAccepted(1, 15_000);
      const library = await eventually('the library entry', async () => {
        const items = await libraryOf(second, CALLER);
        return items.length > 0 ? items : null;
      });
      assert.deepEqual(library, [{ ...library[0], resourceId: TONE.id, acquisition: 'copy' }]);
      const ledger = httpLedger().slice(ledgerBefore);
      assert.deepEqual(
        ledger.map((e) => [e.kind, e.idempotencyKey, e.amountMinor]),
        [['debit', key, TONE.price.amountMinor]],
        'one debit, under the copy key, and no refund',
      );
      second.child.kill('SIGTERM');
      assert.equal((await exitWithin(second, 15_000)).code, 0);

      assert.equal(readDatabase(dbFile, key).state, 'copied');
      assert.deepEqual(
        portal.accepted.map((r) => (r.body as { idempotencyKey: string; outcome: string }).idempotencyKey),
        [key],
        'the portal got the record once',
      );
      assert.ok(
        portal.requests.every((r) => r.signatureValid === true),
        'every delivery was signed',
      );
    });
  }

  it('refunds a charged copy that can no longer be made when the server comes back', async () => {
    const ledgerBefore = httpLedger().length;
    const first = await start({ CMR_TESTING_CRASH_AT: 'after-charged' });
    const key = copyIdempotencyKey(await pressCopyDuringRinging(first), CALLER, TONE.id);
    await exitWithin(first, 15_000);
    // Meanwhile the caller got the tone another way: the copy cannot complete any more.
    const store = await openSqliteStore({ path: dbFile }, silentLogger());
    await store.addLibraryEntry({
      owner: CALLER,
      resourceId: TONE.id,
      acquisition: 'provisioned',
      acquiredAt: new Date().toISOString(),
      copiedFrom: null,
      callId: null,
    });
    await store.close();

    const second = await start({});
    await eventually(
      'the refund',
      () =>
        httpLedger()
          .slice(ledgerBefore)
          .some((e) => e.kind === 'refund'),
      15_000,
    );
    assert.deepEqual(
      httpLedger()
        .slice(ledgerBefore)
        .map((e) => e.kind),
      ['debit', 'refund'],
    );
    assert.deepEqual(
      (await libraryOf(second, CALLER)).map((e) => e.acquisition),
      ['provisioned'],
    );
    second.child.kill('SIGTERM');
    await exitWithin(second, 15_000);
    assert.deepEqual(readDatabase(dbFile, key), { state: 'refunded', outbox: 0, delivered: 0 });
    assert.equal(portal.requests.length, 0, 'no portal record for a copy that did not happen');
  });

  it('asks the OCS again with the T flag and the same Session-Id when killed after a Diameter debit', async () => {
    ccs.reset();
    ccs.setBalance(CALLER, 10_000);
    const diameter = {
      CMR_CHARGING_KIND: 'diameter',
      CMR_CHARGING_DIAMETER_PEERS: `127.0.0.1:${ccs.port}`,
      CMR_CHARGING_DIAMETER_DESTINATION_REALM: ccs.originRealm,
    };
    const first = await start({ ...diameter, CMR_TESTING_CRASH_AT: 'after-debit' });
    const key = copyIdempotencyKey(await pressCopyDuringRinging(first), CALLER, TONE.id);
    await exitWithin(first, 15_000);
    assert.equal(ccs.ledger.length, 1);

    const second = await start(diameter);
    await portal.waitForAccepted(1, 15_000);
    assert.deepEqual(
      ccs.received.map((r) => r.retransmit),
      [false, true],
    );
    assert.equal(ccs.received[0]?.sessionId, ccs.received[1]?.sessionId);
    assert.deepEqual(
      [ccs.ledger.length, ccs.duplicates, ccs.balanceOf(CALLER)],
      [1, 1, 10_000 - TONE.price.amountMinor],
    );
    assert.deepEqual(
      (await libraryOf(second, CALLER)).map((e) => e.resourceId),
      [TONE.id],
    );
    second.child.kill('SIGTERM');
    await exitWithin(second, 15_000);
    assert.equal(readDatabase(dbFile, key).state, 'copied');
  });
});
