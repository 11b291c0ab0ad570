import assert from 'node:assert/strict';
import { Dialog } from '../../../../src/sip/dialog/dialog';
import type { SipRequest } from '../../../../src/sip/message/sip-message';
import type { SendTarget } from '../../../../src/sip/transport/transport';
import { AckMemory } from '../../../../src/sip/ua/ack-memory';
import { FakeClock } from '../../../support/fake-clock';
import { basicRequest, sipResponse } from '../../../support/sip-text';

const TARGET: SendTarget = { protocol: 'udp', address: '127.0.0.3', port: 5090 };

/** Our INVITE's 2xx (or another status) from the callee, tag b1, as it comes back. */
function answer(status = 200, method = 'INVITE', toTag = 'b1') {
  return sipResponse([
    `SIP/2.0 ${status} Whatever`,
    'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
    'From: <sip:alice@127.0.0.2>;tag=a1',
    `To: <sip:bob@127.0.0.1>;tag=${toTag}`,
    'Call-ID: call-1@127.0.0.2',
    `CSeq: 1 ${method}`,
    'Contact: <sip:127.0.0.3:5090>',
  ]);
}

describe('AckMemory (RFC 3261 §13.2.2.4)', () => {
  function setup() {
    const clock = new FakeClock();
    const sent: { ack: SipRequest; target: SendTarget }[] = [];
    const acks = new AckMemory(clock, 500, async (ack, target) => void sent.push({ ack, target }));
    const invite = basicRequest('INVITE');
    const dialog = Dialog.asUac(invite, answer(), '<sip:127.0.0.2:5080>');
    return { clock, sent, acks, invite, dialog };
  }

  it('builds the ACK once and sends the same one for each 2xx, in the transaction or stray', async () => {
    const { sent, acks, invite, dialog } = setup();
    await acks.acknowledge(dialog, invite, TARGET);
    await acks.acknowledge(dialog, invite, TARGET);
    await acks.reacknowledge(answer());
    assert.equal(sent.length, 3);
    assert.equal(sent[0]!.ack.method, 'ACK');
    assert.equal(sent[0]!.ack.headers.get('cseq'), '1 ACK');
    assert.ok(sent.every((s) => s.ack === sent[0]!.ack));
    assert.deepEqual(sent[0]!.target, TARGET, 'to the 2xx Contact');
  });

  it('resends nothing for a provisional, a failure, a 2xx to another method, or an unknown dialog', async () => {
    const { sent, acks, invite, dialog } = setup();
    await acks.acknowledge(dialog, invite, TARGET);
    assert.equal(acks.reacknowledge(answer(180)), null);
    assert.equal(acks.reacknowledge(answer(486)), null);
    assert.equal(acks.reacknowledge(answer(200, 'UPDATE')), null);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b2')), null, 'another dialog');
    assert.equal(sent.length, 1);
  });

  it('forgets the ACK 64*T1 after it was sent, whether or not its dialog ended before (§13.2.2.4: every 2xx is ACKed)', async () => {
    const { clock, acks, invite, dialog } = setup();
    await acks.acknowledge(dialog, invite, TARGET);
    dialog.state = 'terminated';
    clock.advance(64 * 500 - 1);
    assert.notEqual(acks.reacknowledge(answer()), null);
    clock.advance(1);
    assert.equal(acks.reacknowledge(answer()), null);
    assert.equal(acks.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('expires many ACKs, sent at different times, with one timer, each 64*T1 after it was sent', async () => {
    const { clock, acks, invite } = setup();
    for (const tag of ['b1', 'b2', 'b3']) {
      await acks.acknowledge(Dialog.asUac(invite, answer(200, 'INVITE', tag), '<sip:127.0.0.2:5080>'), invite, TARGET);
      assert.equal(clock.timersPending, 1);
      clock.advance(1000);
    }
    clock.advance(64 * 500 - 3000); // b1 is due
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b1')), null);
    assert.notEqual(acks.reacknowledge(answer(200, 'INVITE', 'b2')), null);
    clock.advance(1000);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b2')), null);
    assert.notEqual(acks.reacknowledge(answer(200, 'INVITE', 'b3')), null);
    clock.advance(1000);
    assert.equal(acks.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('forgets everything at once when cleared', async () => {
    const { clock, acks, invite, dialog } = setup();
    await acks.acknowledge(dialog, invite, TARGET);
    acks.clear();
    assert.equal(acks.reacknowledge(answer()), null);
    assert.equal(clock.timersPending, 0);
  });
});
