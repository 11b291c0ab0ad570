import assert from 'node:assert/strict';
import { harness, incoming, outgoing, RecordingHandlers, responseTo, target } from './transaction-test-kit';

describe('TransactionLayer: what a kept message costs', () => {
  it('drops the parsed views of a request once the TU has handled it, and still matches its retransmission', () => {
    const h = harness();
    let seenFrom: unknown = null;
    h.user.onRequestHook = (request) => (seenFrom = request.from);
    const request = incoming({ method: 'OPTIONS' });
    h.layer.receive(request);
    assert.ok(seenFrom !== null);
    assert.notEqual(request.from, seenFrom, 'views parsed again after the hand-over');
    assert.deepEqual(request.from, seenFrom);
    h.layer.receive(incoming({ method: 'OPTIONS' }));
    assert.equal(h.user.requests.length, 1, 'the retransmission is absorbed');
    h.layer.close();
  });

  it('drops the views of a response passed up, and of the request the transaction keeps', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    const requestCallId = tx.request.callId; // parsed now: a view on the kept request
    const ringing = responseTo(tx.request, 180, 'b1');
    const ringingTo = ringing.to;
    h.layer.receive(ringing);
    assert.deepEqual(handlers.statuses(), [180]);
    assert.notEqual(ringing.to, ringingTo);
    assert.equal(ringing.toTag, 'b1');
    assert.equal(tx.request.callId, requestCallId);
    h.layer.close();
  });
});
