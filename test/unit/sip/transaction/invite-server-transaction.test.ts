import assert from 'node:assert/strict';
import { AppError } from '../../../../src/errors';
import { harness, incoming, responseTo, settle } from './transaction-test-kit';

describe('InviteServerTransaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('passes a new INVITE to the TU once and answers retransmissions with the last provisional', () => {
    const h = harness();
    h.layer.receive(incoming());
    const [first] = h.user.requests;
    assert.ok(first);
    first.transaction.respond(responseTo(first.request, 180, 'b1'));
    h.layer.receive(incoming());
    h.layer.receive(incoming());
    assert.equal(h.user.requests.length, 1);
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [180, 180, 180],
    );
    assert.equal(h.transport.responses[2]?.response, h.transport.responses[0]?.response);
    assert.equal(h.transport.responses[0]?.source, first.request.source);
  });

  it('sends 100 Trying itself when the TU has not answered within 200 ms', () => {
    const h = harness();
    h.layer.receive(incoming());
    h.clock.advance(199);
    assert.equal(h.transport.responses.length, 0);
    h.clock.advance(1);
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [100],
    );
    assert.equal(h.transport.responses[0]?.response.toTag, null, '100 Trying carries no To tag');
    h.layer.receive(incoming());
    assert.equal(h.transport.responses.length, 2, 'a retransmitted INVITE gets the 100 again');
  });

  it('sends no 100 Trying of its own when the TU answers within 200 ms', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 183, 'b1'));
    h.layer.receive(incoming());
    h.clock.advance(1000);
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [183],
    );
  });

  it('retransmits a final 486 over UDP on Timer G capped at T2 and tells the TU on Timer H that no ACK came', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 486, 'b1'));
    h.layer.receive(incoming());
    h.clock.advance(31_999);
    assert.deepEqual(
      h.transport.responseTimes(h.start),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(h.user.ackTimeouts.length, 0);
    h.clock.advance(1);
    assert.equal(h.user.ackTimeouts.length, 1);
    assert.equal(h.user.ackTimeouts[0], h.user.requests[0]?.transaction);
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('absorbs the ACK for its non-2xx response, stops retransmitting and ends after Timer I (T4)', () => {
    const h = harness();
    let terminated = 0;
    h.user.onRequestHook = (request, tx) => {
      tx.onTerminated = () => terminated++;
      tx.respond(responseTo(request, 486, 'b1'));
    };
    h.layer.receive(incoming());
    h.clock.advance(600);
    h.layer.receive(incoming({ method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' }));
    h.layer.receive(incoming({ method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' })); // retransmitted ACK
    h.layer.receive(incoming()); // a late INVITE retransmission in Confirmed
    h.clock.advance(4_999 - 100);
    assert.equal(h.user.acks.length, 0, 'the ACK never reaches the TU');
    assert.deepEqual(h.transport.responseTimes(h.start), [0, 500], 'nothing sent once Confirmed');
    assert.equal(h.layer.activeServerTransactions, 1);
    h.clock.advance(101);
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(terminated, 1);
    assert.equal(h.user.ackTimeouts.length, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('answers a retransmitted INVITE in Completed with the final response again', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 404, 'b1'));
    h.layer.receive(incoming());
    h.layer.receive(incoming());
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [404, 404],
    );
    assert.equal(h.user.requests.length, 1);
  });

  it('does not retransmit over TCP and ends at once on the ACK', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 486, 'b1'));
    h.layer.receive(incoming({ protocol: 'tcp' }));
    h.clock.advance(10_000);
    assert.equal(h.transport.responses.length, 1);
    h.layer.receive(incoming({ protocol: 'tcp', method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' }));
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.user.acks.length, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('keeps no message once Accepted, and only the bytes of a 300-699 once Completed over UDP', () => {
    const released = (e: unknown) => e instanceof AppError && e.code === 'SIP.TRANSACTION_RELEASED';
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, request.callId === 'ok' ? 200 : 480, 'b1'));
    h.layer.receive(incoming({ callId: 'ok' }));
    const accepted = h.user.requests[0]!.transaction;
    assert.throws(() => accepted.request, released);
    h.layer.receive(incoming({ callId: 'busy', branch: 'z9hG4bKpeer2' }));
    const completed = h.user.requests[1]!.transaction;
    assert.throws(() => completed.request, released);
    h.clock.advance(500); // Timer G
    const [, first, again] = h.transport.responses;
    assert.equal(first?.response.status, 480);
    assert.ok(first?.prepared);
    assert.equal(again?.prepared, first.prepared, 'Timer G resends the same bytes');
  });

  it('absorbs retransmitted INVITEs after a 2xx (Accepted, RFC 6026) and passes the 2xx ACK to the TU', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 200, 'b1'));
    h.layer.receive(incoming());
    const { request, transaction: tx } = h.user.requests[0]!;
    h.clock.advance(500);
    h.layer.receive(incoming());
    assert.equal(h.user.requests.length, 1, 'the INVITE reached the TU once');
    assert.equal(h.transport.responses.length, 1, 'the transaction does not retransmit the 2xx');
    tx.respond(responseTo(request, 200, 'b1')); // the UA core's own 2xx retransmission
    assert.equal(h.transport.responses.length, 2);
    tx.respond(responseTo(request, 486, 'b1'));
    assert.equal(h.transport.responses.length, 2, 'no non-2xx after a 2xx');
    // an ACK reusing the INVITE's branch matches the transaction, but in Accepted it is the TU's
    h.layer.receive(incoming({ method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' }));
    assert.equal(h.user.acks.length, 1);
    h.clock.advance(31_499);
    assert.equal(h.layer.activeServerTransactions, 1);
    h.clock.advance(1); // Timer L = 64*T1 after the 2xx
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
    h.layer.receive(incoming());
    assert.equal(h.user.requests.length, 2, 'after Timer L the same INVITE is new again');
  });

  it('ignores provisional responses after the final one', () => {
    const h = harness();
    h.user.onRequestHook = (request, tx) => {
      tx.respond(responseTo(request, 486, 'b1'));
      tx.respond(responseTo(request, 180, 'b1'));
      assert.equal(tx.finalSent, true);
    };
    h.layer.receive(incoming({ protocol: 'tcp' }));
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [486],
    );
  });

  it('terminates when the transport cannot send its response', async () => {
    const h = harness();
    let terminated = 0;
    h.transport.failWith = new Error('EPIPE');
    h.user.onRequestHook = (request, tx) => {
      tx.onTerminated = () => terminated++;
      tx.respond(responseTo(request, 486, 'b1'));
    };
    h.layer.receive(incoming());
    await settle();
    assert.equal(terminated, 1);
    assert.equal(h.layer.activeServerTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });
});
