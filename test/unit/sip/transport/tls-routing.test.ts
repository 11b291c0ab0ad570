import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../../../src/config/config-loader';
import { remainingRoutes } from '../../../../src/sip/b2bua/own-routes';
import type { MessageSource, TransportProtocol } from '../../../../src/sip/message/sip-message';
import type { Via } from '../../../../src/sip/message/via';
import { responseRoute } from '../../../../src/sip/transport/response-route';
import { SipTransportError } from '../../../../src/sip/transport/transport-error';
import { resolveNextHop } from '../../../../src/sip/ua/next-hop';
import { basicRequest } from '../../../support/sip-text';
import { harness, outgoing, RecordingHandlers, target } from '../transaction/transaction-test-kit';

const DEFAULT = path.resolve(__dirname, '../../../../config/default.json');

function via(protocol: string, host: string, port: number | null): Via {
  return { protocol, host, port, params: new Map([['branch', 'z9hG4bKx']]) };
}

const tlsSource: MessageSource = {
  protocol: 'tls',
  address: '192.0.2.9',
  port: 40000,
  localAddress: '127.0.0.1',
  localPort: 5061,
  connectionId: 'tls-3',
};

describe('TLS routing (RFC 3261 §18.2.2, §19.1.2, §26.2)', () => {
  it('answers a request that came over TLS on its connection, falling back to a new TLS connection', () => {
    assert.deepEqual(responseRoute(via('TLS', '192.0.2.9', 5071), tlsSource), {
      kind: 'connection',
      connectionId: 'tls-3',
      fallback: { protocol: 'tls', address: '192.0.2.9', port: 5071 },
    });
  });

  it('opens a TLS connection to port 5061 when a TLS Via has no port and no connection is known', () => {
    assert.deepEqual(responseRoute(via('TLS', '192.0.2.1', null)), {
      kind: 'address',
      target: { protocol: 'tls', address: '192.0.2.1', port: 5061 },
    });
  });

  it('sends to a sips next hop over TLS on port 5061', async () => {
    const request = basicRequest('OPTIONS', [], '', 'sips:bob@192.0.2.5');
    assert.deepEqual(await resolveNextHop(request), { protocol: 'tls', address: '192.0.2.5', port: 5061 });
  });

  it('sends over TLS to a Route with ;transport=tls, at its port', async () => {
    const request = basicRequest('OPTIONS', ['Route: <sip:192.0.2.6:5071;transport=tls;lr>']);
    assert.deepEqual(await resolveNextHop(request, 'udp'), { protocol: 'tls', address: '192.0.2.6', port: 5071 });
  });

  it('keeps the host name of a TLS next hop as the name its certificate must carry', async () => {
    const request = basicRequest('OPTIONS', [], '', 'sips:bob@localhost:5071');
    const hop = await resolveNextHop(request);
    assert.equal(hop.protocol, 'tls');
    assert.equal(hop.serverName, 'localhost');
  });

  it('still sends a sip URI without a transport parameter the preferred way', async () => {
    const request = basicRequest('OPTIONS', [], '', 'sip:bob@192.0.2.5');
    assert.equal((await resolveNextHop(request, 'tcp')).protocol, 'tcp');
  });

  it('puts TLS in the Via of a request sent over TLS', () => {
    const { layer, transport } = harness();
    layer.sendRequest(outgoing('OPTIONS'), target('tls'), new RecordingHandlers());
    const sent = transport.requests[0];
    assert.ok(sent);
    assert.match(sent.request.headers.get('via') ?? '', /^SIP\/2\.0\/TLS /);
    layer.close();
  });
});

describe('own routes with TLS', () => {
  /** A UA listening on UDP/TCP 5060 and TLS 5061; any other protocol is not listened on. */
  const ua = {
    contactFor(protocol: TransportProtocol): string {
      if (protocol === 'tls') return '<sip:127.0.0.1:5061;transport=tls>';
      return `<sip:127.0.0.1:5060${protocol === 'tcp' ? ';transport=tcp' : ''}>`;
    },
  };

  it('drops our own TLS route, a sips one at the default port 5061 too, and keeps the next', () => {
    const request = basicRequest('INVITE', [
      'Route: <sip:127.0.0.1:5061;transport=tls;lr>',
      'Route: <sips:127.0.0.1;lr>',
      'Route: <sip:192.0.2.7;lr>',
    ]);
    assert.deepEqual(remainingRoutes(request, ua), ['<sip:192.0.2.7;lr>']);
  });

  it('skips the transports we do not listen on instead of failing', () => {
    const udpOnly = {
      contactFor(protocol: TransportProtocol): string {
        if (protocol !== 'udp')
          throw new SipTransportError('SIP.TRANSPORT_UNAVAILABLE', `not listening on ${protocol}`, { protocol });
        return '<sip:127.0.0.1:5060>';
      },
    };
    const request = basicRequest('INVITE', ['Route: <sip:127.0.0.1:5060;lr>', 'Route: <sip:192.0.2.7;lr>']);
    assert.deepEqual(remainingRoutes(request, udpOnly), ['<sip:192.0.2.7;lr>']);
  });
});

describe('TLS configuration defaults', () => {
  it('keeps TLS off by default so the server starts without certificates', () => {
    const config = loadConfig({ files: [DEFAULT] });
    assert.deepEqual(config.sip.transports, ['udp', 'tcp']);
    assert.equal(config.sip.tls.port, 5061);
    assert.equal(config.sip.tls.requireClientCert, false);
    assert.equal(config.http.tls.enabled, false);
  });

  it('takes tls as a transport from the environment, with its files', () => {
    const config = loadConfig({
      files: [DEFAULT],
      env: { CMR_SIP_TRANSPORTS: 'udp,tls', CMR_SIP_TLS_CERT_FILE: '/etc/cmr/sip.pem', CMR_HTTP_TLS_ENABLED: 'true' },
    });
    assert.deepEqual(config.sip.transports, ['udp', 'tls']);
    assert.equal(config.sip.tls.certFile, '/etc/cmr/sip.pem');
    assert.equal(config.http.tls.enabled, true);
  });
});
