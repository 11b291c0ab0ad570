import assert from 'node:assert/strict';
import { systemClock } from '../../../../src/clock';
import type { Dialog } from '../../../../src/sip/dialog/dialog';
import type { SipRequest } from '../../../../src/sip/message/sip-message';
import type { InviteResult } from '../../../../src/sip/ua/outgoing-invite';
import { SipStack } from '../../../../src/sip/sip-stack';
import { testConfig, testLogger } from '../../../support/test-app';
import { TEST_SDP, TestUas } from '../../../support/test-uas';

async function caller(): Promise<{ stack: SipStack; ended: string[] }> {
  const ended: string[] = [];
  const stack = await SipStack.start({
    config: testConfig().sip,
    logger: testLogger(),
    clock: systemClock,
    delegate: { onDialogEnded: (_d: Dialog, why: string) => ended.push(why) },
  });
  return { stack, ended };
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const protocol of ['udp', 'tcp'] as const) {
  describe(`UA core end to end over ${protocol.toUpperCase()} (our UAC to our UAS)`, () => {
    let uas: TestUas;
    let a: { stack: SipStack; ended: string[] };

    beforeEach(async () => {
      uas = await TestUas.start({ kind: 'answer', ringMs: 20 });
      a = await caller();
    });
    afterEach(async () => {
      await a.stack.close();
      await uas.stop();
    });

    function newInvite() {
      const port = uas.port(protocol);
      return a.stack.ua.createRequest({
        method: 'INVITE',
        uri: `sip:bob@127.0.0.1:${port};transport=${protocol}`,
        from: 'sip:alice@127.0.0.1',
        to: 'sip:bob@127.0.0.1',
        body: TEST_SDP,
        contentType: 'application/sdp',
        protocol,
      });
    }

    it('sets up a call with 180 then 200, ACKs it, and ends both dialogs with BYE', async () => {
      const outgoing = await a.stack.ua.invite(newInvite());
      const provisionals: number[] = [];
      outgoing.onProvisional = (r) => provisionals.push(r.status);
      const { response, dialog } = await outgoing.result;
      assert.equal(response.status, 200);
      assert.deepEqual(provisionals, [180]);
      assert.ok(dialog);
      await until(() => uas.events.includes('ack'), 'the ACK at the UAS');
      const bye = await a.stack.ua.bye(dialog);
      assert.equal(bye?.status, 200);
      await until(() => uas.events.includes('ended:remote BYE'), 'the UAS to end its dialog');
      assert.equal(uas.stack.ua.dialogs.size, 0);
      assert.equal(a.stack.ua.dialogs.size, 0);
    });

    it('answers an INVITE that was record-routed with the Record-Route, so the caller keeps the proxy in its route set', async () => {
      const invite = newInvite();
      // A "proxy" that is the UAS itself, so in-dialog requests along the route set still arrive.
      const proxy = `<sip:127.0.0.1:${uas.port(protocol)};transport=${protocol};lr>`;
      invite.headers.append('Record-Route', proxy);
      const outgoing = await a.stack.ua.invite(invite);
      const { response, dialog } = await outgoing.result;
      assert.deepEqual(response.headers.getAll('record-route'), [proxy]);
      assert.ok(dialog);
      assert.deepEqual(dialog.routeSet, [proxy]);
      await until(() => uas.events.includes('ack'), 'the ACK at the UAS');
      assert.equal((await a.stack.ua.bye(dialog))?.status, 200);
    });

    it('keeps of an answered INVITE only what its responses and the call read, its offer included (UAS)', async () => {
      const invite = newInvite();
      invite.headers.append('Subject', 'not read after the dialog exists');
      const outgoing = await a.stack.ua.invite(invite);
      const { dialog } = await outgoing.result;
      await until(() => uas.events.includes('ack'), 'the ACK at the UAS');
      const kept = uas.incoming[0]?.request;
      assert.ok(kept);
      assert.deepEqual(
        kept.headers.entries().map((f) => f.key),
        ['via', 'from', 'to', 'call-id', 'cseq', 'content-type'],
      );
      assert.equal(kept.body.toString(), TEST_SDP.toString());
      assert.equal(kept.source?.protocol, protocol);
      if (dialog) await a.stack.ua.bye(dialog);
    });

    it('tells a listener of each provisional and then the final result, which `result` gives too, even when asked late', async () => {
      const outgoing = await a.stack.ua.invite(newInvite());
      const seen: string[] = [];
      const final = new Promise<InviteResult>((resolve) => {
        outgoing.listen({
          onProvisional: (response) => seen.push(`${response.status}`),
          onFinal: (result) => {
            seen.push(`final ${result.response.status}`);
            resolve(result);
          },
        });
      });
      const result = await final;
      assert.deepEqual(seen, ['180', 'final 200']);
      assert.equal(outgoing.listening, false, 'let go once nothing more can come');
      assert.equal(await outgoing.result, result, 'asked for after the fact');
      if (result.dialog) await a.stack.ua.bye(result.dialog);
    });

    it('lets go of the handlers of an INVITE once none can fire: after the final answer (UAC), after the ACK (UAS)', async () => {
      const outgoing = await a.stack.ua.invite(newInvite());
      outgoing.onProvisional = () => undefined;
      const { dialog } = await outgoing.result;
      assert.equal(outgoing.onProvisional, undefined, 'no provisional follows a final answer');
      await until(() => uas.events.includes('ack'), 'the ACK at the UAS');
      assert.deepEqual(uas.incoming[0]?.handlers, {}, 'the ACK came: no handler can fire');
      if (dialog) await a.stack.ua.bye(dialog);
    });

    it('stops tracking an answered INVITE for CANCEL at once, not when its transaction ends (64*T1 over UDP)', async () => {
      const outgoing = await a.stack.ua.invite(newInvite());
      const { dialog } = await outgoing.result;
      await until(() => uas.events.includes('ack'), 'the ACK at the UAS');
      assert.equal(uas.stack.ua.counts.pendingInvites, 0);
      if (dialog) await a.stack.ua.bye(dialog);
    });

    // Over UDP the transaction lingers for Timer I (T4) first: the transaction layer's tests cover that.
    if (protocol === 'tcp') {
      it('forgets the requests it tracked for merging once their transactions end', async () => {
        uas.set({ kind: 'reject', status: 486 });
        const outgoing = await a.stack.ua.invite(newInvite());
        assert.equal((await outgoing.result).response.status, 486);
        assert.equal(uas.stack.ua.counts.requestsInProgress, 1, 'the INVITE transaction is still there');
        await until(() => uas.stack.ua.counts.requestsInProgress === 0, 'the INVITE transaction to end');
      });
    }

    it('stops tracking a rejected INVITE for CANCEL at once', async () => {
      uas.set({ kind: 'reject', status: 486 });
      const outgoing = await a.stack.ua.invite(newInvite());
      assert.equal((await outgoing.result).response.status, 486);
      assert.equal(uas.stack.ua.counts.pendingInvites, 0);
    });

    it('lets go of the handlers of a cancelled INVITE', async () => {
      uas.set({ kind: 'ring-forever' });
      const outgoing = await a.stack.ua.invite(newInvite());
      outgoing.onProvisional = () => outgoing.cancel();
      await outgoing.result;
      await until(() => uas.events.includes('cancelled'), 'the UAS to see the CANCEL');
      assert.deepEqual(uas.incoming[0]?.handlers, {});
    });

    it('cancels a ringing call: 487 for the INVITE and no dialog left on either side', async () => {
      uas.set({ kind: 'ring-forever' });
      const outgoing = await a.stack.ua.invite(newInvite());
      outgoing.onProvisional = () => outgoing.cancel();
      const { response, dialog } = await outgoing.result;
      assert.equal(response.status, 487);
      assert.equal(dialog, null);
      await until(() => uas.events.includes('cancelled'), 'the UAS to see the CANCEL');
      await until(() => uas.stack.ua.dialogs.size === 0, 'the early dialog to end at the UAS');
    });

    it('keeps only what a CANCEL and an ACK read of a ringing INVITE, in the UA and its transaction alike', async () => {
      uas.set({ kind: 'ring-forever' });
      const invite = newInvite();
      const outgoing = await a.stack.ua.invite(invite);
      assert.equal(outgoing.request, invite, 'whole until it rings: Timer A may send it again');
      const ringing: { template: SipRequest; transaction: SipRequest | undefined }[] = [];
      outgoing.onProvisional = () => {
        ringing.push({ template: outgoing.request, transaction: outgoing.transaction?.request });
        outgoing.cancel();
      };
      const { response } = await outgoing.result;
      assert.equal(response.status, 487, 'the CANCEL built from the template matched the INVITE');
      const { template, transaction } = ringing[0] ?? assert.fail('no provisional');
      assert.equal(transaction, template, 'one template for both');
      assert.equal(template.body.length, 0);
      assert.deepEqual(
        template.headers.entries().map((f) => f.key),
        ['via', 'max-forwards', 'from', 'to', 'call-id', 'cseq'],
      );
      assert.equal(invite.headers.get('content-type'), 'application/sdp', 'the INVITE itself is untouched');
    });

    it('answers a failure with the status the callee gave', async () => {
      uas.set({ kind: 'reject', status: 486 });
      const outgoing = await a.stack.ua.invite(newInvite());
      const { response } = await outgoing.result;
      assert.equal(response.status, 486);
    });

    it('ends the call with BYE when a 200 races the CANCEL', async () => {
      uas.set({ kind: 'answer', ringMs: 0 });
      const outgoing = await a.stack.ua.invite(newInvite());
      outgoing.cancel(); // asked before any provisional: sent only after one, by which time 200 is on its way
      const { response, dialog } = await outgoing.result;
      assert.ok(response.status === 200 || response.status === 487, `got ${response.status}`);
      assert.equal(dialog, null);
      await until(
        () => uas.stack.ua.dialogs.size === 0 && a.stack.ua.dialogs.size === 0,
        'both sides to have no dialog',
      );
    });
  });
}
