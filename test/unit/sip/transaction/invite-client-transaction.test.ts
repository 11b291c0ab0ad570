import assert from 'node:assert/strict';
import { requestTemplate } from '../../../../src/sip/message/request-template';
import type { SipRequest } from '../../../../src/sip/message/sip-message';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';
import { createNon2xxAck } from '../../../../src/sip/transaction/non-2xx-ack';
import { harness, outgoing, RecordingHandlers, responseTo, settle, target } from './transaction-test-kit';

function serialized(request: SipRequest): string {
  return serializeMessage(request).toString('latin1');
}

describe('InviteClientTransaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits over UDP on Timer A doubling without cap and times out on Timer B at 64*T1', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    h.clock.advance(31_999);
    // intervals 500, 1000, 2000, 4000, 8000, 16000
    assert.deepEqual(h.transport.requestTimes(h.start), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(handlers.timeouts, 0);
    h.clock.advance(1);
    assert.equal(handlers.timeouts, 1);
    assert.equal(h.layer.activeClientTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('never retransmits over TCP', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.layer.sendRequest(outgoing('INVITE'), target('tcp'), handlers);
    h.clock.advance(32_000);
    assert.deepEqual(h.transport.requestTimes(h.start), [0]);
    assert.equal(handlers.timeouts, 1);
  });

  it('stops retransmitting on a provisional and lets a ringing INVITE outlive Timer B', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    h.clock.advance(700);
    h.layer.receive(responseTo(tx.request, 180, 'b1'));
    h.clock.advance(120_000);
    assert.deepEqual(h.transport.requestTimes(h.start), [0, 500]);
    assert.equal(handlers.timeouts, 0, 'Timer B only times out a Calling transaction');
    assert.deepEqual(handlers.statuses(), [180]);
    h.layer.receive(responseTo(tx.request, 200, 'b1'));
    assert.deepEqual(handlers.statuses(), [180, 200]);
  });

  it('acknowledges a 486 itself, once per retransmission, with the same ACK and passes the 486 up once', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const invite = outgoing('INVITE', 7);
    invite.headers.append('Route', '<sip:proxy.example.com;lr>');
    const tx = h.layer.sendRequest(invite, target('udp'), handlers);
    h.layer.receive(responseTo(tx.request, 486, 'b1'));
    assert.throws(() => tx.request, /no longer holds its request/, 'Completed keeps only the ACK');
    h.layer.receive(responseTo(invite, 486, 'b1'));
    assert.deepEqual(handlers.statuses(), [486]);
    const [, firstAck, secondAck] = h.transport.requests;
    assert.ok(firstAck && secondAck);
    assert.equal(firstAck.request, secondAck.request, 'the ACK is built once and resent as is');
    const ack = firstAck.request;
    // §17.1.1.3: Request-URI, Call-ID, From, CSeq number, top Via and Route of the INVITE; To of the response
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.uri, invite.uri);
    assert.equal(ack.headers.get('cseq'), '7 ACK');
    assert.deepEqual(ack.headers.getAll('via'), [invite.headers.getAll('via')[0]]);
    assert.equal(ack.headers.get('to'), '<sip:bob@example.com>;tag=b1');
    assert.equal(ack.headers.get('from'), invite.headers.get('from'));
    assert.equal(ack.headers.get('call-id'), invite.headers.get('call-id'));
    assert.equal(ack.headers.get('route'), '<sip:proxy.example.com;lr>');
    assert.deepEqual(firstAck.target, target('udp'));
    assert.equal(ack.body.length, 0);
  });

  it('keeps the whole INVITE while Calling, and from Proceeding only the template the TU keeps, whose ACK is the same', () => {
    const h = harness();
    const invite = outgoing('INVITE', 7);
    invite.headers.append('Route', '<sip:proxy.example.com;lr>');
    invite.headers.append('Contact', '<sip:us@127.0.0.1>');
    invite.body = Buffer.from('v=0\r\n');
    const tx = h.layer.sendRequest(invite, target('udp'), new RecordingHandlers());
    const template = requestTemplate(
      invite,
      new Set(['via', 'route', 'max-forwards', 'from', 'to', 'call-id', 'cseq']),
    );
    tx.keepOnly(template);
    assert.equal(tx.request, invite, 'Timer A may still send it');
    h.clock.advance(500);
    assert.equal(h.transport.requests[1]?.request, invite);
    h.layer.receive(responseTo(invite, 180, 'b1'));
    tx.keepOnly(template);
    assert.equal(tx.request, template);
    h.layer.receive(responseTo(invite, 486, 'b1'));
    const ack = h.transport.requests[2]?.request;
    assert.ok(ack);
    assert.deepEqual(serialized(ack), serialized(createNon2xxAck(invite, responseTo(invite, 486, 'b1'))));
  });

  it('stays Completed for Timer D (32 s) over UDP and ends at once over TCP', () => {
    const udp = harness();
    const udpTx = udp.layer.sendRequest(outgoing('INVITE'), target('udp'), new RecordingHandlers());
    udp.layer.receive(responseTo(udpTx.request, 603, 'b1'));
    udp.clock.advance(31_999);
    assert.equal(udp.layer.activeClientTransactions, 1);
    udp.clock.advance(1);
    assert.equal(udp.layer.activeClientTransactions, 0);
    assert.equal(udp.clock.timersPending, 0);

    const tcp = harness();
    const tcpTx = tcp.layer.sendRequest(outgoing('INVITE'), target('tcp'), new RecordingHandlers());
    tcp.layer.receive(responseTo(tcpTx.request, 603, 'b1'));
    assert.equal(tcp.transport.requests.at(-1)?.request.method, 'ACK');
    assert.equal(tcp.layer.activeClientTransactions, 0);
    assert.equal(tcp.clock.timersPending, 0);
  });

  it('passes every 2xx to the TU while Accepted (RFC 6026) and generates no ACK for them', () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const invite = outgoing('INVITE');
    const tx = h.layer.sendRequest(invite, target('udp'), handlers);
    h.layer.receive(responseTo(invite, 183, 'b1'));
    h.layer.receive(responseTo(invite, 200, 'b1'));
    assert.throws(() => tx.request, /no longer holds its request/, 'Accepted sends nothing: the TU keeps the INVITE');
    h.clock.advance(500);
    h.layer.receive(responseTo(invite, 200, 'b1')); // retransmission
    h.layer.receive(responseTo(invite, 200, 'b2')); // another fork
    h.layer.receive(responseTo(invite, 486, 'b3')); // not a 2xx: dropped
    assert.deepEqual(handlers.statuses(), [183, 200, 200, 200]);
    assert.equal(handlers.responses[3]?.toTag, 'b2');
    assert.equal(h.transport.requests.length, 1, 'neither retransmission nor ACK from the transaction');
    h.clock.advance(31_499);
    assert.equal(h.layer.activeClientTransactions, 1);
    h.clock.advance(1); // Timer M = 64*T1 after the first 2xx
    assert.equal(h.layer.activeClientTransactions, 0);
    h.layer.receive(responseTo(invite, 200, 'b1'));
    assert.equal(h.user.strays.length, 1, 'after Timer M a 2xx is stray');
    assert.equal(handlers.timeouts, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('reports a failed INVITE send through onTransportError', async () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    h.transport.failWith = new Error('EHOSTUNREACH');
    h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    await settle();
    assert.equal(handlers.transportErrors.length, 1);
    assert.equal(h.layer.activeClientTransactions, 0);
    assert.equal(h.clock.timersPending, 0);
  });

  it('does not report a failed ACK as a transport error once the final response went up', async () => {
    const h = harness();
    const handlers = new RecordingHandlers();
    const tx = h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
    h.transport.failWith = new Error('EHOSTUNREACH');
    h.layer.receive(responseTo(tx.request, 486, 'b1'));
    await settle();
    assert.deepEqual(handlers.statuses(), [486]);
    assert.equal(handlers.transportErrors.length, 0);
    assert.equal(h.layer.activeClientTransactions, 0);
  });
});
