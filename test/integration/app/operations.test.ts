import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startTestApp, type TestApp } from '../../support/test-app';

async function sendOptions(port: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const local = socket.address().port;
  const message = [
    'OPTIONS sip:cmr@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-ops-${Date.now()};rport`,
    'Max-Forwards: 70',
    'From: <sip:ops@127.0.0.1>;tag=o1',
    'To: <sip:cmr@127.0.0.1>',
    `Call-ID: ops-${Date.now()}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to OPTIONS')), 3000);
      socket.on('message', (data) => {
        clearTimeout(timer);
        resolve(data.toString());
      });
      socket.send(message, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

describe('operations endpoints', () => {
  let app: TestApp;
  let base: string;
  before(async () => {
    app = await startTestApp();
    base = `http://127.0.0.1:${app.httpAddress.port}`;
  });
  after(() => app?.stop());

  it('reports live and ready without a token', async () => {
    const live = await fetch(`${base}/health/live`);
    assert.equal(live.status, 200);
    const ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: 'up', charging: 'up' } });
  });

  it('exposes Prometheus metrics that count SIP requests by method', async () => {
    const answer = await sendOptions(app.sipPort('udp'));
    assert.match(answer, /^SIP\/2\.0 200 OK/);
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^cmr_sip_requests_received_total\{method="OPTIONS"\} 1$/m);
    assert.match(text, /^cmr_sip_responses_sent_total\{status="2xx"\} 1$/m);
    assert.match(text, /^cmr_calls_active 0$/m);
    assert.match(text, /^cmr_outbox_depth \d+$/m);
    assert.match(text, /^cmr_outbox_oldest_age_seconds 0$/m);
    assert.match(text, /^cmr_outbox_dead_letters 0$/m);
    assert.match(text, /^cmr_process_resident_memory_bytes \d+/m);
  });

  it('changes the log level without a restart, refusing unknown levels', async () => {
    const auth = { authorization: 'Bearer test-token', 'content-type': 'application/json' };
    const put = (body: unknown) =>
      fetch(`${base}/v1/admin/log-level`, { method: 'PUT', headers: auth, body: JSON.stringify(body) });
    assert.equal((await put({ level: 'loud' })).status, 422);
    assert.equal((await put({ level: 'debug' })).status, 200);
    const now = await fetch(`${base}/v1/admin/log-level`, { headers: auth });
    assert.deepEqual(await now.json(), { level: 'debug' });
    assert.equal((await put({ level: 'warn' })).status, 200);
  });

  it('keeps the provisioning API behind the token', async () => {
    assert.equal((await fetch(`${base}/v1/calls`)).status, 401);
    const ok = await fetch(`${base}/v1/calls`, { headers: { authorization: 'Bearer test-token' } });
    assert.equal(ok.status, 200);
  });
});
