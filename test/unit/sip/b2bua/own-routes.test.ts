import assert from 'node:assert/strict';
import { remainingRoutes } from '../../../../src/sip/b2bua/own-routes';
import { basicRequest } from '../../../support/sip-text';

/** The UA's Contact per transport, as SipUserAgent.contactFor gives it. */
function ua(host: string, port: number) {
  return {
    contactFor: (protocol: 'udp' | 'tcp') => `<sip:${host}:${port}${protocol === 'tcp' ? ';transport=tcp' : ''}>`,
  };
}

describe('own routes (the Route set a B-leg carries on)', () => {
  it('drops the leading routes that point at us and keeps the rest, in order', () => {
    const request = basicRequest('INVITE', [
      'Route: <sip:127.0.0.1:5060;lr>',
      'Route: <sip:scscf.example.com;lr;orig>, <sip:icscf.example.com;lr>',
    ]);
    assert.deepEqual(remainingRoutes(request, ua('127.0.0.1', 5060)), [
      '<sip:scscf.example.com;lr;orig>',
      '<sip:icscf.example.com;lr>',
    ]);
  });

  it('recognises us by host and port, 5060 when the route has none, with any user part or parameters', () => {
    const request = basicRequest('INVITE', [
      'Route: <sip:as@127.0.0.1;lr;transport=tcp>',
      'Route: <sip:next.example.com;lr>',
    ]);
    assert.deepEqual(remainingRoutes(request, ua('127.0.0.1', 5060)), ['<sip:next.example.com;lr>']);
  });

  it('keeps every route when the first is not ours, even if a later one is', () => {
    const request = basicRequest('INVITE', ['Route: <sip:127.0.0.1:5999;lr>', 'Route: <sip:127.0.0.1:5060;lr>']);
    assert.deepEqual(remainingRoutes(request, ua('127.0.0.1', 5060)), [
      '<sip:127.0.0.1:5999;lr>',
      '<sip:127.0.0.1:5060;lr>',
    ]);
  });

  it('recognises us on IPv6', () => {
    const request = basicRequest('INVITE', ['Route: <sip:[::1]:5070;lr>', 'Route: <sip:[::2]:5070;lr>']);
    assert.deepEqual(remainingRoutes(request, ua('[::1]', 5070)), ['<sip:[::2]:5070;lr>']);
  });

  it('forwards an unreadable route as it is', () => {
    const request = basicRequest('INVITE', ['Route: <sip:127.0.0.1;lr>', 'Route: garbage<<']);
    assert.deepEqual(remainingRoutes(request, ua('127.0.0.1', 5060)), ['garbage<<']);
  });

  it('leaves nothing when there is no Route', () => {
    assert.deepEqual(remainingRoutes(basicRequest('INVITE'), ua('127.0.0.1', 5060)), []);
  });
});
