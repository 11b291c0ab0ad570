import assert from 'node:assert/strict';
import type { MessageSource } from '../../../../src/sip/message/sip-message';
import type { Via } from '../../../../src/sip/message/via';
import { responseRoute } from '../../../../src/sip/transport/response-route';
import { SipTransportError } from '../../../../src/sip/transport/transport-error';

function via(protocol: string, host: string, port: number | null, params: [string, string | null][] = []): Via {
  return { protocol, host, port, params: new Map([['branch', 'z9hG4bKx'], ...params]) };
}

const udpSource: MessageSource = {
  protocol: 'udp',
  address: '192.0.2.9',
  port: 40000,
  localAddress: '127.0.0.1',
  localPort: 5060,
};
const tcpSource: MessageSource = { ...udpSource, protocol: 'tcp', connectionId: 'tcp-7' };

describe('responseRoute (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('sends a UDP response to the sent-by when the Via has neither maddr nor received', () => {
    assert.deepEqual(responseRoute(via('UDP', '192.0.2.1', 5070)), {
      kind: 'address',
      target: { protocol: 'udp', address: '192.0.2.1', port: 5070 },
    });
  });

  it('uses port 5060 when the sent-by has no port', () => {
    assert.deepEqual(responseRoute(via('UDP', '192.0.2.1', null)), {
      kind: 'address',
      target: { protocol: 'udp', address: '192.0.2.1', port: 5060 },
    });
  });

  it('sends to maddr at the sent-by port when the Via has maddr', () => {
    const route = responseRoute(
      via('UDP', '192.0.2.1', 5070, [
        ['maddr', '239.1.1.1'],
        ['received', '192.0.2.9'],
      ]),
      udpSource,
    );
    assert.deepEqual(route, { kind: 'address', target: { protocol: 'udp', address: '239.1.1.1', port: 5070 } });
  });

  it('sends to received at the sent-by port when rport has no value', () => {
    const route = responseRoute(via('UDP', 'client.example.com', 5070, [['received', '192.0.2.9']]), udpSource);
    assert.deepEqual(route, { kind: 'address', target: { protocol: 'udp', address: '192.0.2.9', port: 5070 } });
  });

  it('sends to received and rport when both are filled in', () => {
    const route = responseRoute(
      via('UDP', '10.0.0.1', 5060, [
        ['rport', '40000'],
        ['received', '192.0.2.9'],
      ]),
      udpSource,
    );
    assert.deepEqual(route, { kind: 'address', target: { protocol: 'udp', address: '192.0.2.9', port: 40000 } });
  });

  it('takes the brackets off IPv6 sent-by, maddr and received values', () => {
    assert.deepEqual(responseRoute(via('UDP', '[2001:db8::1]', 5062)), {
      kind: 'address',
      target: { protocol: 'udp', address: '2001:db8::1', port: 5062 },
    });
    const route = responseRoute(
      via('UDP', '[2001:db8::1]', 5062, [
        ['received', '2001:db8::9'],
        ['rport', '6000'],
      ]),
    );
    assert.deepEqual(route, { kind: 'address', target: { protocol: 'udp', address: '2001:db8::9', port: 6000 } });
  });

  it('ignores an rport value that is not a port', () => {
    const route = responseRoute(
      via('UDP', '10.0.0.1', 5070, [
        ['rport', 'abc'],
        ['received', '192.0.2.9'],
      ]),
    );
    assert.deepEqual(route, { kind: 'address', target: { protocol: 'udp', address: '192.0.2.9', port: 5070 } });
  });

  it('answers a TCP request on its connection, falling back to received at the sent-by port', () => {
    const route = responseRoute(
      via('TCP', '10.0.0.1', 5070, [
        ['received', '192.0.2.9'],
        ['rport', '40000'],
      ]),
      tcpSource,
    );
    assert.deepEqual(route, {
      kind: 'connection',
      connectionId: 'tcp-7',
      fallback: { protocol: 'tcp', address: '192.0.2.9', port: 5070 },
    });
  });

  it('opens a connection to the sent-by when a TCP response has no connection to go on', () => {
    assert.deepEqual(responseRoute(via('TCP', '192.0.2.1', null)), {
      kind: 'address',
      target: { protocol: 'tcp', address: '192.0.2.1', port: 5060 },
    });
  });

  it('refuses a transport it does not serve and an unresolved domain name', () => {
    assert.throws(
      () => responseRoute(via('SCTP', '192.0.2.1', 5060)),
      (e: unknown) => e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_ROUTE',
    );
    assert.throws(
      () => responseRoute(via('UDP', 'client.example.com', 5060)),
      (e: unknown) => e instanceof SipTransportError && e.code === 'SIP.TRANSPORT_ROUTE',
    );
  });

  it('falls back to the source address for a domain-name sent-by of a received request', () => {
    assert.deepEqual(responseRoute(via('UDP', 'client.example.com', 5070), udpSource), {
      kind: 'address',
      target: { protocol: 'udp', address: '192.0.2.9', port: 5070 },
    });
  });
});
