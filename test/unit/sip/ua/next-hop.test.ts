import assert from 'node:assert/strict';
import { literalNextHop, NextHopError, resolveNextHop } from '../../../../src/sip/ua/next-hop';
import { basicRequest } from '../../../support/sip-text';

describe('next hop (RFC 3261 §8.1.2)', () => {
  it('finds an IP-literal next hop at once, as resolveNextHop does', async () => {
    const cases = [
      basicRequest('BYE', ['Route: <sip:192.0.2.6:5071;lr>']),
      basicRequest('BYE', [], '', 'sip:bob@192.0.2.5;transport=tcp'),
      basicRequest('BYE', [], '', 'sip:bob@[2001:db8::5]:5070'),
      basicRequest('BYE', ['Route: <sip:proxy.invalid;maddr=[2001:db8::9];lr>']),
    ];
    for (const request of cases) {
      const literal = literalNextHop(request, 'udp');
      assert.ok(literal, request.headers.get('route') ?? request.uri);
      assert.deepEqual(literal, await resolveNextHop(request, 'udp'));
    }
    assert.deepEqual(literalNextHop(basicRequest('BYE', [], '', 'sip:bob@[2001:db8::5]:5070')), {
      protocol: 'udp',
      address: '2001:db8::5',
      port: 5070,
    });
  });

  it('takes an outbound proxy over the Route and the Request-URI', () => {
    const request = basicRequest('INVITE', ['Route: <sip:192.0.2.6;lr>']);
    assert.deepEqual(literalNextHop(request, 'udp', 'sip:192.0.2.7:5090;transport=tcp'), {
      protocol: 'tcp',
      address: '192.0.2.7',
      port: 5090,
    });
  });

  it('leaves a host name to resolveNextHop, and refuses a URI that is not SIP as it does', async () => {
    assert.equal(literalNextHop(basicRequest('BYE', [], '', 'sip:bob@localhost:5090')), null);
    const tel = basicRequest('BYE', [], '', 'tel:+15550001111');
    assert.throws(() => literalNextHop(tel), NextHopError);
    await assert.rejects(resolveNextHop(tel), NextHopError);
  });
});
