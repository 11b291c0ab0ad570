import assert from 'node:assert/strict';
import { Dialog } from '../../../../src/sip/dialog/dialog';
import type { SipRequest } from '../../../../src/sip/message/sip-message';
import type { SendTarget } from '../../../../src/sip/transport/transport';
import { AckMemory } from '../../../../src/sip/ua/ack-memory';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';
import { FakeClock } from '../../../support/fake-clock';
import { basicRequest, sipResponse } from '../../../support/sip-text';

const LIMITS = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };
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
    const sent: { ack: SipRequest; data: Buffer; target: SendTarget }[] = [];
    const unroutable: Error[] = [];
    const acks = new AckMemory(
      clock,
      500,
      {
        prepare: (ack) => {
          ack.headers.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ack-1;rport'); // as the layer does
          return serializeMessage(ack, 'kept');
        },
        send: (data, target) => {
          const ack = parseMessage(data, LIMITS);
          assert.ok(ack.isRequest());
          sent.push({ ack, data, target });
        },
      },
      (error) => void unroutable.push(error),
    );
    const invite = basicRequest('INVITE');
    const dialog = Dialog.asUac(invite, answer(), '<sip:127.0.0.2:5080>');
    return { clock, sent, unroutable, acks, invite, dialog };
  }

  it('builds the ACK once and sends the same one for each 2xx, in the transaction or stray', async () => {
    const { sent, acks, invite, dialog } = setup();
    acks.acknowledge(dialog, invite, TARGET);
    acks.acknowledge(dialog, invite, TARGET);
    assert.equal(acks.reacknowledge(answer()), true);
    assert.equal(sent.length, 3);
    assert.equal(sent[0]!.ack.method, 'ACK');
    assert.equal(sent[0]!.ack.headers.get('cseq'), '1 ACK');
    assert.ok(
      sent.every((s) => s.data === sent[0]!.data),
      'the same bytes each time',
    );
    assert.deepEqual(sent[0]!.target, TARGET, 'to the 2xx Contact');
  });

  it('sends the ACK before acknowledge returns when the 2xx Contact is an IP address (no promise per ACK)', () => {
    const { sent, acks, invite, dialog } = setup();
    acks.acknowledge(dialog, invite, TARGET);
    assert.equal(sent.length, 1);
  });

  it('resolves a host name in the 2xx Contact before it sends, and reports a next hop it cannot route to', async () => {
    const { sent, unroutable, acks, invite } = setup();
    const byName = sipResponse([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
      'From: <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>;tag=b9',
      'Call-ID: call-1@127.0.0.2',
      'CSeq: 1 INVITE',
      'Contact: <sip:localhost:5090>',
    ]);
    acks.acknowledge(Dialog.asUac(invite, byName, '<sip:127.0.0.2:5080>'), invite, TARGET);
    assert.equal(sent.length, 0, 'not before the name is resolved');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.target.port, 5090);
    assert.match(sent[0]!.target.address, /^(127\.0\.0\.1|::1)$/);

    const toTel = sipResponse([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
      'From: <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>;tag=b8',
      'Call-ID: call-1@127.0.0.2',
      'CSeq: 1 INVITE',
      'Contact: <tel:+15550001111>',
    ]);
    acks.acknowledge(Dialog.asUac(invite, toTel, '<sip:127.0.0.2:5080>'), invite, TARGET);
    assert.equal(sent.length, 1);
    assert.equal(unroutable.length, 1);
    assert.equal((unroutable[0] as { code?: string }).code, 'SIP.NEXT_HOP');
  });

  it('resends nothing for a provisional, a failure, a 2xx to another method, or an unknown dialog', async () => {
    const { sent, acks, invite, dialog } = setup();
    acks.acknowledge(dialog, invite, TARGET);
    assert.equal(acks.reacknowledge(answer(180)), false);
    assert.equal(acks.reacknowledge(answer(486)), false);
    assert.equal(acks.reacknowledge(answer(200, 'UPDATE')), false);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b2')), false, 'another dialog');
    assert.equal(sent.length, 1);
  });

  it('forgets the ACK 64*T1 after it was sent, whether or not its dialog ended before (§13.2.2.4: every 2xx is ACKed)', async () => {
    const { clock, acks, invite, dialog } = setup();
    acks.acknowledge(dialog, invite, TARGET);
    dialog.state = 'terminated';
    clock.advance(64 * 500 - 1);
    assert.equal(acks.reacknowledge(answer()), true);
    clock.advance(1);
    assert.equal(acks.reacknowledge(answer()), false);
    assert.equal(acks.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('expires many ACKs, sent at different times, with one timer, each 64*T1 after it was sent', async () => {
    const { clock, acks, invite } = setup();
    for (const tag of ['b1', 'b2', 'b3']) {
      acks.acknowledge(Dialog.asUac(invite, answer(200, 'INVITE', tag), '<sip:127.0.0.2:5080>'), invite, TARGET);
      assert.equal(clock.timersPending, 1);
      clock.advance(1000);
    }
    clock.advance(64 * 500 - 3000); // b1 is due
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b1')), false);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b2')), true);
    clock.advance(1000);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b2')), false);
    assert.equal(acks.reacknowledge(answer(200, 'INVITE', 'b3')), true);
    clock.advance(1000);
    assert.equal(acks.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('forgets everything at once when cleared', async () => {
    const { clock, acks, invite, dialog } = setup();
    acks.acknowledge(dialog, invite, TARGET);
    acks.clear();
    assert.equal(acks.reacknowledge(answer()), false);
    assert.equal(clock.timersPending, 0);
  });
});
