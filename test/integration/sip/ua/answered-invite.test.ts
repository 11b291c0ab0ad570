import assert from 'node:assert/strict';
import { systemClock } from '../../../../src/clock';
import { SipStack } from '../../../../src/sip/sip-stack';
import { testConfig, testLogger } from '../../../support/test-app';
import { TEST_SDP } from '../../../support/test-uas';
import { UdpPeer } from '../transport/transport-harness';

/** A header line of a SIP message text, by its full name. */
function header(text: string, name: string): string {
  const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  assert.ok(line, `${name} in:\n${text}`);
  return line.slice(name.length + 1).trim();
}

function startLine(text: string): string {
  return text.slice(0, text.indexOf('\r\n'));
}

/**
 * After a 2xx, our INVITE's transaction lingers 64*T1 (RFC 6026 Accepted) with only what a late 2xx
 * needs (RFC 3261 §13.2.2.4): a retransmission gets the same ACK again, even once the dialog is over,
 * and another fork's 2xx gets an ACK and a BYE. The callee is played by hand over raw UDP.
 */
describe('UA core: the 2xx that come after an INVITE was answered (UDP)', () => {
  let stack: SipStack;
  let callee: UdpPeer;

  beforeEach(async () => {
    stack = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
    callee = await UdpPeer.open();
  });
  afterEach(async () => {
    await stack.close();
    await callee.close();
  });

  /** Sends our INVITE; returns its text, where it came from, and a 200 to it with `tag`. */
  async function invite() {
    const request = stack.ua.createRequest({
      method: 'INVITE',
      uri: `sip:bob@127.0.0.1:${callee.port}`,
      from: 'sip:alice@127.0.0.1',
      to: 'sip:bob@127.0.0.1',
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await stack.ua.invite(request);
    const sent = await callee.next();
    assert.equal(startLine(sent.text).split(' ')[0], 'INVITE');
    const ok = (tag: string) =>
      [
        'SIP/2.0 200 OK',
        `Via: ${header(sent.text, 'Via')}`,
        `From: ${header(sent.text, 'From')}`,
        `To: ${header(sent.text, 'To')};tag=${tag}`,
        `Call-ID: ${header(sent.text, 'Call-ID')}`,
        `CSeq: ${header(sent.text, 'CSeq')}`,
        `Contact: <sip:bob@127.0.0.1:${callee.port}>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    return { outgoing, ok, port: sent.port };
  }

  /** Answers a request the callee got with 200, so nothing is retransmitted. */
  async function answer(request: { text: string; port: number }): Promise<void> {
    const lines = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((n) => `${n}: ${header(request.text, n)}`);
    await callee.send(['SIP/2.0 200 OK', ...lines, 'Content-Length: 0', '', ''].join('\r\n'), request.port);
  }

  it('answers a retransmitted 2xx with the same ACK, during the call and after it ended', async () => {
    const { outgoing, ok, port } = await invite();
    await callee.send(ok('b1'), port);
    const { dialog } = await outgoing.result;
    assert.ok(dialog);
    const ack = await callee.next();
    assert.equal(startLine(ack.text), `ACK sip:bob@127.0.0.1:${callee.port} SIP/2.0`);
    await callee.send(ok('b1'), port);
    assert.equal((await callee.next()).text, ack.text, 'the same ACK, byte for byte');
    const bye = stack.ua.bye(dialog);
    const byeIn = await callee.next();
    assert.equal(startLine(byeIn.text).split(' ')[0], 'BYE');
    await answer(byeIn);
    assert.equal((await bye)?.status, 200);
    await callee.send(ok('b1'), port);
    assert.equal((await callee.next()).text, ack.text, 'the dialog is over, the 2xx still gets its ACK');
  });

  it("ACKs and ends another fork's 2xx, and keeps the first dialog", async () => {
    const { outgoing, ok, port } = await invite();
    await callee.send(ok('b1'), port);
    const { dialog } = await outgoing.result;
    assert.ok(dialog);
    await callee.next(); // the ACK of b1
    await callee.send(ok('b2'), port);
    const ack = await callee.next();
    assert.equal(startLine(ack.text), `ACK sip:bob@127.0.0.1:${callee.port} SIP/2.0`);
    assert.match(header(ack.text, 'To'), /tag=b2$/);
    // The fork's dialog is built from what the answered INVITE kept of itself: the same identifiers.
    assert.equal(header(ack.text, 'Call-ID'), outgoing.request.headers.get('call-id'));
    assert.equal(header(ack.text, 'From'), outgoing.request.headers.get('from'));
    assert.equal(header(ack.text, 'CSeq'), '1 ACK');
    const bye = await callee.next();
    assert.equal(startLine(bye.text).split(' ')[0], 'BYE');
    assert.match(header(bye.text, 'To'), /tag=b2$/);
    await answer(bye);
    assert.equal(dialog.state, 'confirmed');
    assert.equal(dialog.id.remoteTag, 'b1');
  });
});
