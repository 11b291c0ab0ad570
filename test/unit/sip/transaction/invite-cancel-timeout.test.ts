import assert from 'node:assert/strict';
import { harness, outgoing, RecordingHandlers, responseTo, target, TIMERS } from './transaction-test-kit';

/**
 * RFC 3261 §9.1: after a CANCEL, "if there is no final response for the original request in 64*T1
 * seconds, the client SHOULD then consider the original transaction cancelled and SHOULD destroy
 * the client transaction handling the original request". Without it, a callee that rings and then
 * vanishes (or whose 487 is lost for good) leaves the ringing INVITE, and the early dialog above it,
 * in the UA for ever.
 */
describe('InviteClientTransaction after a CANCEL (RFC 3261 §9.1)', () => {
  const cancelled = () => {
    const h = harness();
    const inviteHandlers = new RecordingHandlers();
    const invite = h.layer.sendRequest(outgoing('INVITE'), target('udp'), inviteHandlers);
    h.layer.receive(responseTo(invite.request, 180, 'b1'));
    const cancel = h.layer.sendRequest(outgoing('CANCEL'), target('udp'), new RecordingHandlers(), {
      branch: invite.branch,
    });
    h.layer.receive(responseTo(cancel.request, 200, 'b1'));
    return { h, invite, inviteHandlers };
  };

  it('gives up a ringing INVITE that gets no final response within 64*T1 of the CANCEL', () => {
    const { h, inviteHandlers } = cancelled();
    h.clock.advance(64 * TIMERS.t1Ms - 1);
    assert.equal(inviteHandlers.timeouts, 0, 'still waiting for the 487');
    h.clock.advance(1);
    assert.equal(inviteHandlers.timeouts, 1, 'the TU is told, as on Timer B');
    assert.deepEqual(inviteHandlers.statuses(), [180]);
    h.clock.advance(64 * TIMERS.t1Ms);
    assert.equal(h.layer.activeClientTransactions, 0, 'both transactions are gone');
  });

  it('takes the 487 that comes in time and times nothing out', () => {
    const { h, invite, inviteHandlers } = cancelled();
    h.clock.advance(64 * TIMERS.t1Ms - 1);
    h.layer.receive(responseTo(invite.request, 487, 'b1'));
    h.clock.advance(64 * TIMERS.t1Ms);
    assert.deepEqual(inviteHandlers.statuses(), [180, 487]);
    assert.equal(inviteHandlers.timeouts, 0);
  });

  it('still lets a ringing INVITE that nobody cancels ring on', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const invite = h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    h.layer.receive(responseTo(invite.request, 180, 'b1'));
    h.clock.advance(10 * 64 * TIMERS.t1Ms);
    assert.equal(handlers.timeouts, 0);
  });
});
