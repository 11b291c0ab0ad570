import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startApp, type RunningApp } from '../../../src/app';
import { systemClock } from '../../../src/clock';
import { createLogger } from '../../../src/observability/logger';
import { FakePortalServer } from '../../support/fake-portal-server';
import { testConfig } from '../../support/test-app';

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
