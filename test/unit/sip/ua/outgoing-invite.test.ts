import assert from 'node:assert/strict';
import type { OutgoingInviteCore } from '../../../../src/sip/ua/outgoing-invite';
import { OutgoingInvite, type InviteResult } from '../../../../src/sip/ua/outgoing-invite';
import { basicRequest } from '../../../support/sip-text';

const core: OutgoingInviteCore = {
  contactFor: () => '<sip:127.0.0.1:5060>',
  sendAck: () => undefined,
  resendAck: () => undefined,
  sendCancel: () => undefined,
  hangUp: () => undefined,
  addDialog: () => undefined,
  forgetDialog: () => undefined,
};

function finals(): { results: InviteResult[]; listener: Parameters<OutgoingInvite['listen']>[0] } {
  const results: InviteResult[] = [];
  return { results, listener: { onProvisional: () => undefined, onFinal: (r) => results.push(r) } };
}

describe('OutgoingInvite: listening for the result', () => {
  it('gives a listener that comes after the final result that result, once (a send that failed at once)', async () => {
    const outgoing = new OutgoingInvite(
      basicRequest('INVITE'),
      { protocol: 'udp', address: '127.0.0.1', port: 5070 },
      core,
    );
    outgoing.onTransportError(); // reported before the caller of ua.invite() could listen
    const { results, listener } = finals();
    outgoing.listen(listener);
    await Promise.resolve();
    assert.deepEqual(
      results.map((r) => r.response.status),
      [503],
    );
    assert.equal((await outgoing.result).response.status, 503);
    assert.equal(results.length, 1);
  });

  it('tells a listener that came first, after the transaction is done with the response', async () => {
    const outgoing = new OutgoingInvite(
      basicRequest('INVITE'),
      { protocol: 'udp', address: '127.0.0.1', port: 5070 },
      core,
    );
    const { results, listener } = finals();
    outgoing.listen(listener);
    outgoing.onTimeout();
    assert.equal(results.length, 0, 'not from within the transaction');
    await Promise.resolve();
    assert.deepEqual(
      results.map((r) => r.response.status),
      [408],
    );
    assert.equal(outgoing.listening, false);
  });
});
