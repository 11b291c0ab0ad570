import assert from 'node:assert/strict';
import { AppError } from '../../../../src/errors';
import { harness, incoming, responseTo } from './transaction-test-kit';

const statuses = (h: ReturnType<typeof harness>): number[] => h.transport.responses.map((r) => r.response.status);

describe('NonInviteServerTransaction (RFC 3261 §17.2.2)', () => {
  it('passes a request to the TU once and absorbs its retransmission while Trying', () => {
    const h = harness();
    h.layer.receive(incoming({ method: 'MESSAGE' }));
    h.layer.receive(incoming({ method: 'MESSAGE' }));
    assert.equal(h.user.requests.length, 1);
    assert.deepEqual(statuses(h), []);
  });

  it('answers a retransmission with the last provisional while Proceeding and the final once Completed', () => {
    const h = harness();
    h.layer.receive(incoming({ method: 'INFO' }));
    const tx = h.user.requests[0]!.transaction;
    tx.respond(responseTo(tx.request, 100));
    h.layer.receive(incoming({ method: 'INFO' }));
    tx.respond(responseTo(tx.request, 200, 'b1'));
    h.layer.receive(incoming({ method: 'INFO' }));
    h.layer.receive(incoming({ method: 'INFO' }));
    assert.deepEqual(statuses(h), [100, 100, 200, 200, 200]);
    assert.equal(h.user.requests.length, 1);
  });

  it('keeps the final response for retransmissions for Timer J (64*T1) over UDP, then forgets the request', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 200, 'b1'));
    h.layer.receive(incoming({ method: 'OPTIONS' }));
    h.clock.advance(31_999);
    h.layer.receive(incoming({ method: 'OPTIONS' }));
    assert.deepEqual(statuses(h), [200, 200]);
    assert.equal(h.user.requests.length, 1);
    h.clock.advance(1);
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
    assert.deepEqual(statuses(h), [200, 200], 'no retransmission of a non-INVITE final response');
  });

  it('lingers in Completed over UDP with the bytes of its final response only: the request goes', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 200, 'b1'));
    h.layer.receive(incoming({ method: 'BYE', toTag: 'b1' }));
    const tx = h.user.requests[0]!.transaction;
    assert.throws(
      () => tx.request,
      (e: unknown) => e instanceof AppError && e.code === 'SIP.TRANSACTION_RELEASED',
    );
    h.layer.receive(incoming({ method: 'BYE', toTag: 'b1' }));
    const [first, again] = h.transport.responses;
    assert.ok(first?.prepared, 'the final response went as prepared bytes');
    assert.equal(again?.prepared, first.prepared, 'the retransmission gets the same bytes');
    assert.equal(again?.response.toTag, 'b1');
    assert.equal(again?.source, first.source);
  });

  it('keeps its request while a provisional is the last answer (the TU may still answer from it)', () => {
    const h = harness();
    h.layer.receive(incoming({ method: 'MESSAGE' }));
    const tx = h.user.requests[0]!.transaction;
    tx.respond(responseTo(tx.request, 100));
    assert.equal(tx.request.method, 'MESSAGE');
  });

  it('ends at once over TCP after the final response', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 200, 'b1'));
    h.layer.receive(incoming({ method: 'OPTIONS', protocol: 'tcp' }));
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('discards a second final response from the TU', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => {
      tx.respond(responseTo(request, 200, 'b1'));
      tx.respond(responseTo(request, 500, 'b1'));
    };
    h.layer.receive(incoming({ method: 'BYE', toTag: 'b1' }));
    h.layer.receive(incoming({ method: 'BYE', toTag: 'b1' }));
    assert.deepEqual(statuses(h), [200, 200]);
  });
});
