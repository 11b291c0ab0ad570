import assert from 'node:assert/strict';
import { get, type RequestOptions } from 'node:https';
import { TlsCredentialsError } from '../../../src/tls/tls-credentials';
import { startTestApp, type TestApp } from '../../support/test-app';
import { TcpPeer } from '../sip/transport/transport-harness';
import { hasOpenssl, makeTestPki, type TestPki } from './test-pki';

const WAIT_MS = 5_000;

/** GETs a path over HTTPS from 127.0.0.1; resolves with the status and body. */
function httpsGet(port: number, path: string, options: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: WAIT_MS, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}

describe('HTTPS for the API (http.tls)', function () {
  this.timeout(20_000);
  let pki: TestPki;
  let app: TestApp;

  before(async function () {
    if (!(await hasOpenssl())) {
      console.log('    (skipped: openssl is not installed, so no test certificates can be made)');
      this.skip();
    }
    pki = await makeTestPki('https');
    app = await startTestApp({
      http: { port: 0, tls: { enabled: true, certFile: pki.certFile, keyFile: pki.keyFile } },
    });
  });
  after(async () => {
    await app?.stop();
    await pki?.dispose();
  });

  it('answers GET /health/live over HTTPS to a client that trusts the CA', async () => {
    const { status } = await httpsGet(app.httpAddress.port, '/health/live', { ca: pki.ca });
    assert.equal(status, 200);
  });

  it('serves the token-protected API over HTTPS too', async () => {
    const { status, body } = await httpsGet(app.httpAddress.port, '/v1/subscribers', {
      ca: pki.ca,
      headers: { Authorization: `Bearer ${app.config.http.apiToken}` },
    });
    assert.equal(status, 200);
    assert.ok(JSON.parse(body));
  });

  it('is not trusted by a client that does not know the CA', async () => {
    await assert.rejects(httpsGet(app.httpAddress.port, '/health/live', {}), /self[- ]signed|unable to verify/i);
  });

  it('fails to start with TLS.CREDENTIALS naming the key file when it does not exist', async () => {
    const missing = `${pki.dir}/no-such-key.pem`;
    await assert.rejects(
      startTestApp({ http: { port: 0, tls: { enabled: true, certFile: pki.certFile, keyFile: missing } } }),
      (err: unknown) =>
        err instanceof TlsCredentialsError && err.message.includes(missing) && err.message.includes('http.tls.keyFile'),
    );
  });

  describe('handshake and connection limits (http.tls.handshakeTimeoutMs, http.maxConnections)', () => {
    let limited: TestApp;
    const peers: TcpPeer[] = [];

    before(async () => {
      limited = await startTestApp({
        http: {
          port: 0,
          maxConnections: 2,
          tls: { enabled: true, certFile: pki.certFile, keyFile: pki.keyFile, handshakeTimeoutMs: 300 },
        },
      });
    });
    after(async () => {
      for (const p of peers.splice(0)) p.destroy();
      await limited?.stop();
    });

    async function silent(): Promise<TcpPeer> {
      const peer = await TcpPeer.connect(limited.httpAddress.port);
      peers.push(peer);
      return peer;
    }

    it('closes a client that connects and never completes its handshake', async () => {
      const peer = await silent();
      await peer.waitClosed('the API to give up the handshake', 3_000);
      assert.equal(peer.received, '');
    });

    it('closes connections beyond maxConnections at once, and serves again once they close', async () => {
      const held = [await silent(), await silent()];
      await TcpPeer.refused(limited.httpAddress.port);
      for (const peer of held) peer.destroy();
      await Promise.all(held.map((peer) => peer.closed));
      // The server sees the closes a moment after the clients do: a few tries, bounded.
      let answer: { status: number } | undefined;
      for (let tries = 0; answer === undefined && tries < 50; tries++) {
        answer = await httpsGet(limited.httpAddress.port, '/health/live', { ca: pki.ca, agent: false }).catch(
          () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20)),
        );
      }
      assert.equal(answer?.status, 200);
    });
  });
});
