import assert from 'node:assert/strict';
import { harness, outgoing, RecordingHandlers, responseTo, settle, target } from './transaction-test-kit';

describe('NonInviteClientTransaction (RFC 3261 §17.1.2)', () => {
  it('retransmits over UDP on Timer E doubling up to T2 and times out on Timer F at 64*T1', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.layer.sendRequest(outgoing('OPTIONS'), target('udp'), handlers);
    h.clock.advance(31_999);
    // intervals 500, 1000, 2000, 4000, then 4000 (T2) until F
    assert.deepEqual(
      h.transport.requestTimes(h.start),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(handlers.timeouts, 0);
    h.clock.advance(1);
    assert.equal(handlers.timeouts, 1);
    assert.equal(h.layer.activeClientTransactions, 0);
    h.clock.advance(60_000);
    assert.equal(h.transport.requests.length, 11, 'no send after the timeout');
    assert.equal(h.clock.timersPending, 0);
  });

  it('retransmits every T2 after a provisional and still times out on Timer F in Proceeding', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('MESSAGE'), target('udp'), handlers);
    h.clock.advance(600); // sends at 0 and 500; next E due at 1500
    h.layer.receive(responseTo(tx.request, 100));
    h.clock.advance(20_000 - 600);
    // E keeps its schedule (1500), then every T2: 5500, 9500, 13500, 17500
    assert.deepEqual(h.transport.requestTimes(h.start), [0, 500, 1500, 5500, 9500, 13500, 17500]);
    assert.deepEqual(handlers.statuses(), [100]);
    h.clock.advance(12_000);
    assert.equal(handlers.timeouts, 1);
    assert.equal(h.layer.activeClientTransactions, 0);
  });

  it('never retransmits over TCP and still times out at 64*T1', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.layer.sendRequest(outgoing('OPTIONS'), target('tcp'), handlers);
    h.clock.advance(32_000);
    assert.deepEqual(h.transport.requestTimes(h.start), [0]);
    assert.equal(handlers.timeouts, 1);
  });

  it('passes the final response up once and absorbs its retransmissions until Timer K (T4)', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const options = outgoing('OPTIONS');
    const tx = h.layer.sendRequest(options, target('udp'), handlers);
    h.clock.advance(100);
    h.layer.receive(responseTo(options, 200, 'b1'));
    assert.throws(() => tx.request, /no longer holds its request/, 'Completed keeps neither request nor handlers');
    h.layer.receive(responseTo(options, 200, 'b1'));
    h.clock.advance(4_999);
    h.layer.receive(responseTo(options, 200, 'b1'));
    assert.deepEqual(handlers.statuses(), [200]);
    assert.equal(h.transport.requests.length, 1, 'no retransmission once completed');
    assert.equal(h.layer.activeClientTransactions, 1);
    h.clock.advance(1);
    assert.equal(h.layer.activeClientTransactions, 0);
    h.layer.receive(responseTo(options, 200, 'b1'));
    assert.equal(h.user.strays.length, 1, 'after Timer K a late response is stray');
    assert.equal(handlers.timeouts, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('terminates at once over TCP after the final response', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('BYE'), target('tcp'), handlers);
    h.layer.receive(responseTo(tx.request, 481));
    assert.deepEqual(handlers.statuses(), [481]);
    assert.equal(h.layer.activeClientTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('reports a failed send through onTransportError and forgets the transaction', async () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.transport.failWith = new Error('connect ECONNREFUSED');
    h.layer.sendRequest(outgoing('OPTIONS'), target('tcp'), handlers);
    await settle();
    assert.deepEqual(
      handlers.transportErrors.map((e) => e.message),
      ['connect ECONNREFUSED'],
    );
    assert.equal(handlers.timeouts, 0);
    assert.equal(h.layer.activeClientTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('stops at once when the TU disposes of it', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('OPTIONS'), target('udp'), handlers);
    tx.dispose();
    h.clock.advance(40_000);
    assert.equal(h.transport.requests.length, 1);
    assert.equal(handlers.timeouts, 0);
    assert.equal(h.layer.activeClientTransactions, 0);
  });
});
