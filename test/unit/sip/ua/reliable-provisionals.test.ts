import assert from 'node:assert/strict';
import type { SipResponse } from '../../../../src/sip/message/sip-message';
import { parseRAck, ReliableProvisionals, reliabilityOf } from '../../../../src/sip/ua/reliable-provisionals';
import { FakeClock } from '../../../support/fake-clock';
import { basicRequest, sipResponse } from '../../../support/sip-text';

const T1 = 500;

function provisional(status = 183, body = ''): SipResponse {
  return sipResponse(
    [
      `SIP/2.0 ${status} Session Progress`,
      'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
      'From: <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>;tag=b1',
      'Call-ID: call-1',
      'CSeq: 1 INVITE',
    ],
    body,
  );
}

function rig() {
  const clock = new FakeClock();
  const resent: SipResponse[] = [];
  let gaveUp = 0;
  const invite = basicRequest('INVITE', ['Supported: 100rel']);
  const reliable = new ReliableProvisionals(invite, {
    clock,
    t1Ms: T1,
    resend: (r) => resent.push(r),
    gaveUp: () => gaveUp++,
  });
  return { clock, resent, reliable, gaveUps: () => gaveUp };
}

function rseqOf(response: SipResponse): number {
  return Number(response.headers.get('rseq'));
}

describe('RFC 3262 on the UAS side (ReliableProvisionals)', () => {
  it('reads 100rel from Require or Supported, in any list position and case', () => {
    assert.equal(reliabilityOf(basicRequest('INVITE', ['Require: precondition, 100REL'])), 'required');
    assert.equal(reliabilityOf(basicRequest('INVITE', ['Supported: timer', 'Supported: path,100rel'])), 'supported');
    assert.equal(reliabilityOf(basicRequest('INVITE', ['Supported: timer'])), 'none');
  });

  it('parses RAck and refuses what is not one', () => {
    assert.deepEqual(parseRAck('776656 1 INVITE'), { rseq: 776656, cseq: 1, method: 'INVITE' });
    assert.deepEqual(parseRAck('  5   2  invite '), { rseq: 5, cseq: 2, method: 'INVITE' });
    for (const bad of [undefined, '', '1 INVITE', 'x 1 INVITE', '1 2 3 4', '99999999999 1 INVITE']) {
      assert.equal(parseRAck(bad), null, String(bad));
    }
  });

  it('stamps Require: 100rel and an RSeq, and counts up from a random start', () => {
    const { reliable } = rig();
    const first = provisional(183, 'v=0\r\n');
    reliable.stamp(first);
    assert.equal(first.headers.get('require'), '100rel');
    const rseq = rseqOf(first);
    assert.ok(rseq >= 1 && rseq < 2 ** 31);
    reliable.acknowledge();
    const second = provisional(180);
    reliable.stamp(second);
    assert.equal(rseqOf(second), rseq + 1);
  });

  it('retransmits at T1, 2T1, 4T1... until the PRACK, then stops', () => {
    const { clock, resent, reliable } = rig();
    const response = provisional();
    reliable.stamp(response);
    clock.advance(T1);
    clock.advance(2 * T1);
    clock.advance(4 * T1 - 1);
    assert.equal(resent.length, 2);
    clock.advance(1);
    assert.equal(resent.length, 3);
    assert.ok(reliable.matches({ rseq: rseqOf(response), cseq: 1, method: 'INVITE' }));
    reliable.acknowledge();
    clock.advance(64 * T1);
    assert.equal(resent.length, 3);
    assert.equal(reliable.awaitingPrack, false);
  });

  it('matches a PRACK only on the RSeq, CSeq and method of the provisional in flight', () => {
    const { reliable } = rig();
    const response = provisional();
    assert.equal(reliable.matches({ rseq: 1, cseq: 1, method: 'INVITE' }), false, 'nothing in flight');
    reliable.stamp(response);
    const rseq = rseqOf(response);
    assert.equal(reliable.matches({ rseq: rseq + 1, cseq: 1, method: 'INVITE' }), false);
    assert.equal(reliable.matches({ rseq, cseq: 2, method: 'INVITE' }), false);
    assert.equal(reliable.matches({ rseq, cseq: 1, method: 'UPDATE' }), false);
    assert.equal(reliable.matches(null), false);
    assert.equal(reliable.matches({ rseq, cseq: 1, method: 'INVITE' }), true);
  });

  it('gives up after 64*T1 without a PRACK', () => {
    const { clock, reliable, gaveUps } = rig();
    reliable.stamp(provisional());
    clock.advance(64 * T1 - 1);
    assert.equal(gaveUps(), 0);
    clock.advance(T1 * 64);
    assert.equal(gaveUps(), 1);
    assert.equal(reliable.awaitingPrack, false);
  });

  it('holds the next reliable provisional and a 2xx after an SDP answer until the PRACK, in order', async () => {
    const { reliable } = rig();
    const sent: string[] = [];
    reliable.stamp(provisional(183, 'v=0\r\n'));
    assert.equal(reliable.holdsFinal, true);
    const acknowledged = reliable.acknowledged();
    reliable.whenFree(() => {
      sent.push('180');
      reliable.stamp(provisional(180));
    });
    reliable.whenFree(() => sent.push('200'));
    assert.deepEqual(sent, []);
    reliable.acknowledge();
    assert.equal(await acknowledged, true);
    assert.deepEqual(sent, ['180'], 'the 180 is now in flight: the 200 waits for its PRACK too');
    reliable.acknowledge();
    assert.deepEqual(sent, ['180', '200']);
  });

  it('drops what waits, and tells who waits, when the INVITE is answered first', async () => {
    const { reliable } = rig();
    const sent: string[] = [];
    reliable.stamp(provisional());
    const acknowledged = reliable.acknowledged();
    reliable.whenFree(() => sent.push('late'));
    reliable.close();
    assert.equal(await acknowledged, false);
    reliable.acknowledge();
    assert.deepEqual(sent, []);
    assert.equal(await reliable.acknowledged(), false);
  });
});
