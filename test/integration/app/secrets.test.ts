import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startApp, type RunningApp } from '../../../src/app';
import { systemClock } from '../../../src/clock';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import { createLogger } from '../../../src/observability/logger';
import { CreditControlServer } from '../../support/diameter/credit-control-server';
import { FakePortalServer } from '../../support/fake-portal-server';
import { testConfig } from '../../support/test-app';
import { until } from '../sip/transport/transport-harness';

const TOKEN = 'tok-5ecret-4b1d';
const HMAC = 'hmac-5ecret-77aa';

describe('secrets in logs', function () {
  this.timeout(20_000);
  let app: RunningApp;
  let portal: FakePortalServer;
  const lines: string[] = [];

  before(async () => {
    portal = await FakePortalServer.start();
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const config = testConfig({
      http: { port: 0, apiToken: TOKEN },
      portal: { url: portal.url, hmacSecret: HMAC },
    });
    app = await startApp({
      config,
      logger: createLogger({ level: 'debug', maskNumbers: true }, stream),
      clock: systemClock,
    });
  });
  after(async () => {
    await app?.stop();
    await portal?.close();
  });

  it('never writes the API token or the portal signing secret, even at debug level', async () => {
    const base = `http://127.0.0.1:${app.httpAddress.port}`;
    await fetch(`${base}/v1/subscribers`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await fetch(`${base}/v1/subscribers`, { headers: { authorization: `Bearer wrong-${TOKEN}` } });
    await fetch(`${base}/v1/admin/log-level`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'debug' }),
    });
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    assert.ok(text.length > 0, 'the app logged something');
    assert.ok(!text.includes(TOKEN), 'the API token is not in the logs');
    assert.ok(!text.includes(HMAC), 'the HMAC secret is not in the logs');
  });
});

describe('Diameter identities in logs', function () {
  this.timeout(20_000);
  // Mixed case on purpose: DiameterIdentity is an FQDN, and a peer may echo it in another case.
  const OUR_HOST = 'AS-5ecret.Example';
  const OUR_REALM = 'realm-5ecret.example';
  const OCS_HOST = 'ocs-5ecret.example';
  const OCS_REALM = 'ocsrealm-5ecret.example';
  const REQUESTER = '+15550001002';
  let app: RunningApp;
  let ocs: CreditControlServer;
  const lines: string[] = [];

  before(async () => {
    ocs = await CreditControlServer.start({ originHost: OCS_HOST, originRealm: OCS_REALM });
    ocs.setBalance(REQUESTER, 100_000);
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const config = testConfig({
      http: { port: 0 },
      charging: {
        kind: 'diameter',
        diameter: {
          peers: [`127.0.0.1:${ocs.port}`],
          originHost: OUR_HOST,
          originRealm: OUR_REALM,
          destinationRealm: OCS_REALM,
          destinationHost: OCS_HOST,
        },
      },
      copy: { recoveryIntervalMs: 100, recoveryMinAgeMs: 0 },
    });
    app = await startApp({
      config,
      logger: createLogger({ level: 'debug', maskNumbers: true }, stream),
      clock: systemClock,
    });
  });
  after(async () => {
    await app?.stop();
    await ocs?.stop();
  });

  it('never writes ours or the OCS’s, even at debug level, though the peer opened and a debit was logged', async () => {
    await ocs.waitForPeer(OUR_HOST, 5_000);
    // An unfinished charged copy, as a crash would leave it: recovery debits it through Diameter and logs it.
    const callId = 'secrets-call@test';
    const at = new Date(Date.now() - 60_000).toISOString();
    await app.store.startCopyAttempt({
      key: copyIdempotencyKey(callId, REQUESTER, 'summer-breeze'),
      state: 'requested',
      resolution: 'complete',
      charge: {
        idempotencyKey: copyIdempotencyKey(callId, REQUESTER, 'summer-breeze'),
        requester: REQUESTER,
        owner: '+15550001001',
        resourceId: 'summer-breeze',
        title: 'Summer Breeze',
        price: { amountMinor: 199, currency: 'USD' },
        callId,
        icid: null,
        requestedAt: at,
      },
      trigger: 'dtmf',
      chargeReference: null,
      recoveryTries: 0,
      detail: null,
      createdAt: at,
      updatedAt: at,
    });
    await until(
      () => lines.some((line) => line.includes('charge debited')),
      'the recovered debit to be logged',
      10_000,
    );
    const text = lines.join('');
    assert.match(text, /diameter peer open/, 'the peer connection was logged');
    assert.match(text, /"sessionId":"\[redacted\];/, 'the Session-Id is logged without the Origin-Host it starts with');
    for (const identity of [OUR_HOST, OUR_REALM, OCS_HOST, OCS_REALM]) {
      assert.ok(!text.toLowerCase().includes(identity.toLowerCase()), `${identity} is not in the logs`);
    }
  });
});
