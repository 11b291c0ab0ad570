import assert from 'node:assert/strict';
import type { TLSSocket } from 'node:tls';
import { systemClock } from '../../../src/clock';
import { SipStack } from '../../../src/sip/sip-stack';
import { TlsCredentialsError } from '../../../src/tls/tls-credentials';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';
import { hasOpenssl, makeTestPki, type TestPki } from './test-pki';
import { exchange, openTls, optionsOverTls } from './tls-client';

/** The `sip` overrides that turn TLS on next to UDP and TCP, on ephemeral ports. */
function sipWithTls(pki: TestPki, extra: Record<string, unknown> = {}) {
  return {
    port: 0,
    transports: ['udp', 'tcp', 'tls'],
    tls: {
      port: 0,
      certFile: pki.certFile,
      keyFile: pki.keyFile,
      caFile: pki.caFile,
      requireClientCert: false,
      ...extra,
    },
  };
}

describe('SIP over TLS (RFC 3261 §26.2)', function () {
  this.timeout(20_000);
  let pki: TestPki;
  let rogue: TestPki;
  const sockets: TLSSocket[] = [];

  before(async function () {
    if (!(await hasOpenssl())) {
      console.log('    (skipped: openssl is not installed, so no test certificates can be made)');
      this.skip();
    }
    pki = await makeTestPki('cmr');
    rogue = await makeTestPki('rogue');
  });
  after(async () => {
    await pki?.dispose();
    await rogue?.dispose();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  describe('with a server certificate only', () => {
    let app: TestApp;
    let callee: TestUas;

    before(async () => {
      callee = await TestUas.start({ kind: 'reject', status: 486 });
      app = await startTestApp({
        sip: sipWithTls(pki),
        b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` },
      });
    });
    after(async () => {
      await app?.stop();
      await callee?.stop();
    });

    it('answers an OPTIONS sent over TLS with 200 on the same connection, its Via still naming TLS', async () => {
      const port = app.sipPort('tls');
      const socket = await openTls(port, { ca: pki.ca });
      sockets.push(socket);
      const response = await exchange(socket, optionsOverTls(socket, port, 'opt1'));
      assert.ok(!response.isRequest());
      assert.equal(response.status, 200);
      assert.equal(response.topVia.protocol, 'TLS');
      assert.equal(response.topVia.params.get('rport'), String(socket.localPort));
      assert.equal(app.sip.transport.stats().tlsConnections, 1);
    });

    it('relays the callee 486 to a caller that called over TLS, whose INVITE carried a TLS Via and Contact', async () => {
      const caller = await SipStack.start({
        config: testConfig({ sip: { ...sipWithTls(pki), transports: ['tls'] } }).sip,
        logger: testLogger(),
        clock: systemClock,
        delegate: {},
      });
      try {
        const invite = caller.ua.createRequest({
          method: 'INVITE',
          uri: `sip:+15550007777@127.0.0.1:${app.sipPort('tls')};transport=tls`,
          from: 'sip:+15550006666@127.0.0.1',
          to: 'sip:+15550007777@127.0.0.1',
          protocol: 'tls',
          body: TEST_SDP,
          contentType: 'application/sdp',
        });
        const outgoing = await caller.ua.invite(invite);
        const { response } = await outgoing.result;
        assert.equal(response.status, 486);
        assert.equal(callee.count('invite'), 1);
        assert.match(invite.headers.get('via') ?? '', /^SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;/);
        assert.match(invite.headers.get('contact') ?? '', /;transport=tls>$/);
        assert.equal(response.source?.protocol, 'tls');
      } finally {
        await caller.close();
      }
    });

    it('does not call a TLS server whose certificate its CA did not sign (503, no INVITE sent)', async () => {
      const caller = await SipStack.start({
        config: testConfig({ sip: { ...sipWithTls(rogue), transports: ['tls'] } }).sip,
        logger: testLogger(),
        clock: systemClock,
        delegate: {},
      });
      try {
        const invite = caller.ua.createRequest({
          method: 'INVITE',
          uri: `sip:+15550007777@127.0.0.1:${app.sipPort('tls')};transport=tls`,
          from: 'sip:+15550006666@127.0.0.1',
          to: 'sip:+15550007777@127.0.0.1',
          protocol: 'tls',
          body: TEST_SDP,
          contentType: 'application/sdp',
        });
        const before = callee.count('invite');
        const { response } = await (await caller.ua.invite(invite)).result;
        assert.equal(response.status, 503);
        assert.equal(callee.count('invite'), before);
      } finally {
        await caller.close();
      }
    });
  });

  describe('with sip.tls.requireClientCert', () => {
    let app: TestApp;

    before(async () => {
      app = await startTestApp({ sip: sipWithTls(pki, { requireClientCert: true }) });
    });
    after(async () => {
      await app?.stop();
    });

    it('refuses a client that presents no certificate: no answer, the connection is closed', async () => {
      const port = app.sipPort('tls');
      const refused = openTls(port, { ca: pki.ca }).then((socket) => {
        sockets.push(socket);
        return exchange(socket, optionsOverTls(socket, port, 'nocert'));
      });
      await assert.rejects(refused);
      assert.equal(app.sip.transport.stats().tlsConnections, 0);
    });

    it('answers a client whose certificate the CA signed', async () => {
      const port = app.sipPort('tls');
      const socket = await openTls(port, { ca: pki.ca, cert: pki.cert, key: pki.key });
      sockets.push(socket);
      const response = await exchange(socket, optionsOverTls(socket, port, 'cert'));
      assert.ok(!response.isRequest());
      assert.equal(response.status, 200);
    });

    it('refuses a client whose certificate another CA signed', async () => {
      const port = app.sipPort('tls');
      const refused = openTls(port, { ca: pki.ca, cert: rogue.cert, key: rogue.key }).then((socket) => {
        sockets.push(socket);
        return exchange(socket, optionsOverTls(socket, port, 'rogue'));
      });
      await assert.rejects(refused);
    });
  });

  describe('start-up', () => {
    it('fails with TLS.CREDENTIALS naming the certificate file when it does not exist', async () => {
      const missing = `${pki.dir}/no-such-cert.pem`;
      await assert.rejects(
        startTestApp({ sip: { ...sipWithTls(pki), tls: { ...sipWithTls(pki).tls, certFile: missing } } }),
        (err: unknown) =>
          err instanceof TlsCredentialsError &&
          err.code === 'TLS.CREDENTIALS' &&
          err.message.includes(missing) &&
          err.message.includes('sip.tls.certFile'),
      );
    });

    it('fails with TLS.CREDENTIALS when the key does not belong to the certificate', async () => {
      await assert.rejects(
        startTestApp({ sip: { ...sipWithTls(pki), tls: { ...sipWithTls(pki).tls, keyFile: rogue.keyFile } } }),
        (err: unknown) => err instanceof TlsCredentialsError && err.message.includes(pki.certFile),
      );
    });

    it('fails with TLS.CREDENTIALS when tls is a transport but no certificate is configured', async () => {
      await assert.rejects(
        startTestApp({ sip: { port: 0, transports: ['udp', 'tls'] } }),
        (err: unknown) => err instanceof TlsCredentialsError && err.message.includes('sip.tls.certFile is empty'),
      );
    });
  });
});
