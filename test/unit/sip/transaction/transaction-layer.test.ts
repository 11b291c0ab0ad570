import assert from 'node:assert/strict';
import { MAGIC_COOKIE } from '../../../../src/sip/transaction/branch';
import { TransactionError } from '../../../../src/sip/transaction/transaction-error';
import { harness, incoming, LOCAL, outgoing, RecordingHandlers, responseTo, target } from './transaction-test-kit';

const statuses = (h: ReturnType<typeof harness>): number[] => h.transport.responses.map((r) => r.response.status);

describe('TransactionLayer', () => {
  describe('sending requests', () => {
    it('adds a top Via with our sent-by, the transport, a fresh branch and rport', () => {
      const h = harness();
      const tx = h.layer.sendRequest(outgoing('OPTIONS'), target('tcp'), new RecordingHandlers());
      const via = tx.request.headers.getAll('via');
      assert.equal(via.length, 1);
      assert.equal(via[0], `SIP/2.0/TCP ${LOCAL.host}:${LOCAL.port};branch=${tx.branch};rport`);
      assert.equal(h.transport.requests[0]?.request, tx.request);
    });

    it('draws branches with the magic cookie and at least 64 random bits, never twice', () => {
      const h = harness();
      const branches = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const tx = h.layer.sendRequest(outgoing('OPTIONS', i + 1), target('udp'), new RecordingHandlers());
        assert.ok(tx.branch.startsWith(MAGIC_COOKIE));
        const random = tx.branch.slice(MAGIC_COOKIE.length);
        assert.match(random, /^[A-Za-z0-9_-]+$/);
        assert.ok(random.length * 6 >= 64, `only ${random.length * 6} bits in ${tx.branch}`);
        branches.add(tx.branch);
      }
      assert.equal(branches.size, 1000);
      h.layer.close();
    });

    it("sends a CANCEL with its INVITE's branch in a transaction of its own", () => {
      const h = harness();
      const inviteHandlers = new RecordingHandlers();
      const cancelHandlers = new RecordingHandlers();
      const invite = h.layer.sendRequest(outgoing('INVITE'), target('udp'), inviteHandlers);
      h.layer.receive(responseTo(invite.request, 180, 'b1'));
      const cancel = h.layer.sendRequest(outgoing('CANCEL'), target('udp'), cancelHandlers, {
        branch: invite.branch,
      });
      assert.equal(cancel.branch, invite.branch);
      assert.equal(h.layer.activeClientTransactions, 2);
      h.layer.receive(responseTo(cancel.request, 200, 'b1'));
      h.layer.receive(responseTo(invite.request, 487, 'b1'));
      assert.deepEqual(cancelHandlers.statuses(), [200]);
      assert.deepEqual(inviteHandlers.statuses(), [180, 487]);
    });

    it('refuses an ACK, a branch without the magic cookie and a branch already in use', () => {
      const h = harness();
      const tx = h.layer.sendRequest(outgoing('INVITE'), target('udp'), new RecordingHandlers());
      const codeOf = (fn: () => unknown): string | undefined => {
        try {
          fn();
        } catch (error) {
          assert.ok(error instanceof TransactionError);
          return error.code;
        }
        return undefined;
      };
      assert.equal(
        codeOf(() => h.layer.sendRequest(outgoing('ACK'), target(), new RecordingHandlers())),
        'SIP.TRANSACTION_ACK',
      );
      const noCookie = () =>
        h.layer.sendRequest(outgoing('CANCEL'), target(), new RecordingHandlers(), { branch: 'abc' });
      assert.equal(codeOf(noCookie), 'SIP.TRANSACTION_BRANCH');
      const reused = () =>
        h.layer.sendRequest(outgoing('INVITE'), target(), new RecordingHandlers(), { branch: tx.branch });
      assert.equal(codeOf(reused), 'SIP.TRANSACTION_BRANCH');
      assert.equal(h.transport.requests.length, 1);
    });

    it('prepares a 2xx ACK with our Via once, and sends those bytes without a transaction each time', () => {
      const h = harness();
      const ack = outgoing('ACK');
      const data = h.layer.prepareAck(ack, target('udp'));
      h.layer.sendAck(data, target('udp'), (error) => assert.fail(error));
      h.layer.sendAck(data, target('udp'), (error) => assert.fail(error));
      assert.equal(ack.headers.getAll('via').length, 1);
      assert.match(ack.headers.get('via') ?? '', /;branch=z9hG4bK[A-Za-z0-9_-]{16};rport$/);
      assert.equal(h.transport.requests.length, 2);
      const [first, again] = h.transport.requests;
      assert.equal(first!.request.method, 'ACK');
      assert.equal(first!.request.headers.get('via'), ack.headers.get('via'));
      assert.equal(again!.request.headers.get('via'), ack.headers.get('via'), 'the same branch both times');
      assert.equal(h.layer.activeClientTransactions, 0);
      assert.equal(h.clock.timersPending, 0);
    });
  });

  describe('matching responses (§17.1.3)', () => {
    it('gives a response with an unknown branch or another CSeq method to onStrayResponse', () => {
      const h = harness();
      const handlers = new RecordingHandlers();
      const tx = h.layer.sendRequest(outgoing('INVITE'), target('udp'), handlers);
      const otherMethod = responseTo(tx.request, 200, 'b1');
      otherMethod.headers.set('CSeq', '1 BYE');
      h.layer.receive(otherMethod);
      const otherBranch = responseTo(tx.request, 200, 'b1');
      otherBranch.headers.set('Via', `SIP/2.0/UDP ${LOCAL.host}:${LOCAL.port};branch=z9hG4bKother`);
      h.layer.receive(otherBranch);
      assert.equal(h.user.strays.length, 2);
      assert.equal(handlers.responses.length, 0);
    });
  });

  describe('ACK and CANCEL (§17.2.3, §9.2)', () => {
    it('gives an ACK that matches no transaction to onAck', () => {
      const h = harness();
      h.layer.receive(incoming({ method: 'ACK', branch: 'z9hG4bKack2xx', toTag: 'b1' }));
      assert.equal(h.user.acks.length, 1);
      assert.equal(h.layer.activeServerTransactions, 0);
    });

    it('answers a CANCEL for a ringing INVITE with 200 carrying the INVITE To tag and tells the TU once', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => {
        if (request.method === 'INVITE') tx.respond(responseTo(request, 183, 'b1'));
      };
      h.layer.receive(incoming());
      h.layer.receive(incoming({ method: 'CANCEL' }));
      h.layer.receive(incoming({ method: 'CANCEL' })); // retransmitted CANCEL
      assert.equal(h.user.cancels.length, 1);
      assert.equal(h.user.cancels[0]?.invite, h.user.requests[0]?.transaction);
      assert.equal(h.user.requests.length, 1, 'CANCEL never reaches onRequest');
      assert.deepEqual(statuses(h), [183, 200, 200]);
      const ok = h.transport.responses[1]!.response;
      assert.equal(ok.cseq.method, 'CANCEL');
      assert.equal(ok.toTag, 'b1');
      const invite = h.user.cancels[0]!.invite;
      invite.respond(responseTo(invite.request, 487, 'b1'));
      h.layer.receive(incoming({ method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' }));
      assert.equal(h.user.acks.length, 0);
    });

    it('tells the TU when a server transaction ends, once, when its last timer is over', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 200, 'b1'));
      h.layer.receive(incoming({ method: 'MESSAGE', cseqMethod: 'MESSAGE' }));
      const tx = h.user.requests[0]?.transaction;
      assert.ok(tx);
      assert.deepEqual(h.user.ended, [], 'Completed lingers for Timer J over UDP');
      h.clock.advance(64 * 500);
      assert.deepEqual(h.user.ended, [tx]);
      h.clock.advance(64 * 500);
      assert.equal(h.user.ended.length, 1);
    });

    it('answers a CANCEL that matches no INVITE with 481', () => {
      const h = harness();
      h.layer.receive(incoming());
      h.layer.receive(incoming({ method: 'CANCEL', branch: 'z9hG4bKunknown' }));
      h.layer.receive(incoming({ method: 'CANCEL', sentBy: '203.0.113.9:5060' })); // same branch, other sent-by
      assert.deepEqual(statuses(h), [481, 481]);
      assert.equal(h.user.cancels.length, 0);
    });

    it('answers a CANCEL after the final response with 200 without telling the TU', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => {
        if (request.method === 'INVITE') tx.respond(responseTo(request, 200, 'b1'));
      };
      h.layer.receive(incoming());
      h.layer.receive(incoming({ method: 'CANCEL' }));
      assert.deepEqual(statuses(h), [200, 200]);
      assert.equal(h.user.cancels.length, 0);
      assert.equal(h.transport.responses[1]?.response.toTag, 'b1', 'the To tag of the 2xx the INVITE no longer holds');
    });

    it('matches a CANCEL to an RFC 2543 INVITE that lingers after its final response, by the To tag it had', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => {
        if (request.method === 'INVITE') tx.respond(responseTo(request, 486, 'b1'));
      };
      h.layer.receive(incoming({ branch: null }));
      h.layer.receive(incoming({ method: 'CANCEL', branch: null }));
      assert.deepEqual(statuses(h), [486, 200]);
      assert.equal(h.transport.responses[1]?.response.toTag, 'b1');
    });
  });

  describe('RFC 2543 matching (§17.2.3, no magic cookie)', () => {
    it('matches a retransmitted INVITE by Request-URI, tags, Call-ID, CSeq and top Via', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => {
        if (request.method === 'INVITE') tx.respond(responseTo(request, 486, 'b1'));
      };
      h.layer.receive(incoming({ branch: null }));
      h.layer.receive(incoming({ branch: null }));
      assert.equal(h.user.requests.length, 1);
      assert.deepEqual(statuses(h), [486, 486]);
      h.layer.receive(incoming({ branch: null, cseq: 2 }));
      h.layer.receive(incoming({ branch: null, callId: 'other@198.51.100.7' }));
      h.layer.receive(incoming({ branch: null, uri: 'sip:carol@example.com' }));
      h.layer.receive(incoming({ branch: null, fromTag: 'a2' }));
      h.layer.receive(incoming({ branch: null, sentBy: '203.0.113.9:5060' }));
      assert.equal(h.user.requests.length, 6, 'each difference makes a new request');
    });

    it('absorbs the ACK carrying our To tag and passes one with another tag to the TU', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => tx.respond(responseTo(request, 486, 'b1'));
      h.layer.receive(incoming({ branch: null }));
      h.layer.receive(incoming({ branch: null, method: 'ACK', cseqMethod: 'ACK', toTag: 'zz' }));
      assert.equal(h.user.acks.length, 1);
      h.layer.receive(incoming({ branch: null, method: 'ACK', cseqMethod: 'ACK', toTag: 'b1' }));
      assert.equal(h.user.acks.length, 1);
      h.clock.advance(10_000);
      assert.deepEqual(statuses(h), [486], 'Confirmed after the ACK: Timer G stopped');
    });

    it('matches a CANCEL to its INVITE', () => {
      const h = harness();
      h.layer.receive(incoming({ branch: null }));
      h.layer.receive(incoming({ branch: null, method: 'CANCEL' }));
      assert.equal(h.user.cancels.length, 1);
    });
  });

  describe('lifetime', () => {
    it('leaves no transaction and no timer once every flow has completed', () => {
      const h = harness();
      h.user.onRequestHook = (request, tx) => {
        if (request.method !== 'ACK') tx.respond(responseTo(request, request.method === 'INVITE' ? 486 : 200, 'b1'));
      };
      h.layer.receive(incoming());
      h.layer.receive(incoming({ method: 'ACK', toTag: 'b1', cseqMethod: 'ACK' }));
      h.layer.receive(incoming({ method: 'OPTIONS', branch: 'z9hG4bKo1' }));
      h.layer.receive(incoming({ method: 'CANCEL', branch: 'z9hG4bKc1' }));
      const invite = h.layer.sendRequest(outgoing('INVITE'), target('udp'), new RecordingHandlers());
      h.layer.receive(responseTo(invite.request, 200, 'x1'));
      const bye = h.layer.sendRequest(outgoing('BYE', 2), target('udp'), new RecordingHandlers());
      h.layer.receive(responseTo(bye.request, 200, 'x1'));
      h.layer.sendRequest(outgoing('OPTIONS', 3), target('udp'), new RecordingHandlers()); // times out
      assert.ok(h.layer.activeServerTransactions > 0 && h.layer.activeClientTransactions > 0);
      h.clock.advance(64 * 500);
      assert.equal(h.layer.activeServerTransactions, 0);
      assert.equal(h.layer.activeClientTransactions, 0);
      assert.equal(h.clock.timersPending, 0);
    });

    it('stops every timer and forgets every transaction on close', () => {
      const h = harness();
      h.layer.receive(incoming());
      h.layer.sendRequest(outgoing('INVITE'), target('udp'), new RecordingHandlers());
      h.layer.close();
      assert.equal(h.layer.activeServerTransactions, 0);
      assert.equal(h.layer.activeClientTransactions, 0);
      assert.equal(h.clock.timersPending, 0);
      h.clock.advance(60_000);
      assert.equal(h.transport.requests.length, 1);
      assert.equal(h.transport.responses.length, 0);
    });
  });
});
