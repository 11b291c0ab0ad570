import assert from 'node:assert/strict';
import { requestHusk } from '../../../../src/sip/transaction/request-husk';
import { harness, incoming, outgoing, RecordingHandlers, responseTo, target } from './transaction-test-kit';

describe('a finished server transaction keeps only the request husk', () => {
  it('copies method, Request-URI, source and Via/From/To/Call-ID/CSeq, and nothing else', () => {
    const request = incoming({ method: 'MESSAGE', toTag: 'b1' });
    request.headers.append('Content-Type', 'text/plain').append('Subject', 'long enough to matter');
    request.body = Buffer.from('hello');
    const husk = requestHusk(request);
    assert.notEqual(husk, request);
    assert.equal(husk.method, 'MESSAGE');
    assert.equal(husk.uri, request.uri);
    assert.deepEqual(husk.source, request.source);
    assert.deepEqual(
      husk.headers.entries().map((f) => f.key),
      ['via', 'from', 'to', 'call-id', 'cseq'],
    );
    assert.equal(husk.callId, request.callId);
    assert.equal(husk.toTag, 'b1');
    assert.equal(husk.branch, request.branch);
    assert.equal(husk.body.length, 0);
  });

  it('a non-INVITE transaction lets the full request go once its final response is out (UDP)', () => {
    const h = harness();
    const request = incoming({ method: 'MESSAGE' });
    request.body = Buffer.from('a body the transaction need not keep for 64*T1');
    h.layer.receive(request);
    const tx = h.user.requests[0]!.transaction;
    tx.respond(responseTo(request, 100));
    assert.equal(tx.request, request, 'the whole request while the TU works on it');
    tx.respond(responseTo(request, 200, 'b1'));
    assert.notEqual(tx.request, request);
    assert.equal(tx.request.body.length, 0);
    h.layer.receive(incoming({ method: 'MESSAGE' }));
    assert.deepEqual(
      h.transport.responses.map((r) => r.response.status),
      [100, 200, 200],
      'a retransmission still gets the final response',
    );
  });

  it('an INVITE transaction keeps the husk after a 2xx or a 300-699 and treats a retransmitted INVITE as before', () => {
    for (const status of [200, 486]) {
      const h = harness();
      const invite = incoming({ method: 'INVITE' });
      h.layer.receive(invite);
      const tx = h.user.requests[0]!.transaction;
      tx.respond(responseTo(invite, status, 'b1'));
      assert.notEqual(tx.request, invite, `${status}`);
      assert.equal(tx.request.callId, invite.callId);
      h.layer.receive(incoming({ method: 'INVITE' }));
      const sent = h.transport.responses.map((r) => r.response.status);
      // RFC 6026: a retransmitted INVITE is absorbed in Accepted; Completed resends the final response.
      assert.deepEqual(sent, status === 200 ? [200] : [486, 486], `${status}`);
    }
  });

  it('an INVITE client transaction keeps the husk after its final response and still passes a 2xx up', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const invite = outgoing('INVITE');
    invite.body = Buffer.from('v=0 and the rest of an offer');
    const tx = h.layer.sendRequest(invite, target('udp'), handlers);
    h.layer.receive(responseTo(tx.request, 180, 'b1'));
    assert.equal(tx.request, invite, 'the whole INVITE while it may be retransmitted or cancelled');
    h.layer.receive(responseTo(invite, 200, 'b1'));
    assert.notEqual(tx.request, invite);
    assert.equal(tx.request.body.length, 0);
    assert.equal(tx.request.branch, invite.branch);
    h.layer.receive(responseTo(invite, 200, 'b2'));
    assert.deepEqual(handlers.statuses(), [180, 200, 200], "RFC 6026: another fork's 2xx still reaches the TU");
  });
});
