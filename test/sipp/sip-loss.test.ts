import assert from 'node:assert/strict';
import { isSippInstalled } from '../support/sipp';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestUas } from '../support/test-uas';
import { eventually, expectScenarioPasses } from './support/scenario-check';

/**
 * Packet loss over UDP: SIPp drops 10 % of what it sends and receives (`-lost 10`) and recovers by
 * retransmitting (T1 = 500 ms in the scenarios); our stack recovers by retransmitting its 2xx and
 * by answering retransmitted requests from its transactions. No call may fail, and the application
 * above the transactions must see every request exactly once.
 */

const CALLS = 20;
const LOSS_PERCENT = 10;
const MESSAGES_PER_CALL = 5; // uac-message-retransmit-200 sends CSeq 1..5
/** Generous for 20 calls at 10 per second with retransmissions from 500 ms doubling. */
const RUN_TIMEOUT_MS = 45_000;

const lossy = {
  transport: 'udp',
  calls: CALLS,
  rate: 10,
  lost: LOSS_PERCENT,
  timeoutMs: RUN_TIMEOUT_MS,
  sippTimeoutMs: RUN_TIMEOUT_MS - 5000,
  recvTimeoutMs: 15_000,
} as const;

describe(`SIPp over UDP with ${LOSS_PERCENT} % packet loss`, function () {
  this.timeout(RUN_TIMEOUT_MS + 10_000);
  let app: TestApp;
  let uas: TestUas;
  /** `Call-ID CSeq` of each MESSAGE handed to the UAS application, in arrival order. */
  const messages: string[] = [];

  before(async function () {
    if (!(await isSippInstalled())) {
      console.warn('    SIPp is not installed: skipping the SIPp loss tests');
      this.skip();
    }
    // The configured timers (T1 500 ms), as SIPp's scenarios use: Timer J (64*T1) must outlast the
    // client's retransmissions, or a late retransmission is rightly taken for a new request.
    app = await startTestApp({ media: { enabled: false } });
    uas = await TestUas.start(
      { kind: 'answer', ringMs: 20 },
      {
        onRequest: (request) => {
          if (request.method !== 'MESSAGE') return void request.respond(501);
          messages.push(`${request.request.callId} ${request.request.cseq.seq}`);
          request.respond(200);
        },
      },
    );
  });

  after(async () => {
    await app?.stop();
    await uas?.stop();
  });

  it(`completes ${CALLS} calls (INVITE, 200, ACK, BYE) and the callee sees each INVITE and BYE once`, async () => {
    const result = await expectScenarioPasses({ ...lossy, scenario: 'uac-invite-bye-200.xml', port: uas.port('udp') });

    console.log(`      SIPp retransmitted ${result.stats.retransmissions} messages to get ${CALLS} calls through`);
    assert.equal(uas.count('invite'), CALLS, 'INVITEs reaching the callee application');
    await eventually('every dialog ended by the BYE', () => uas.endedDialogs.length >= CALLS, 5000);
    const endings = uas.events.filter((e) => e.startsWith('ended:'));
    assert.deepEqual(endings, Array<string>(CALLS).fill('ended:remote BYE'), 'every call ended by its BYE');
    const callIds = new Set(uas.endedDialogs.map((d) => d.id.callId));
    assert.equal(callIds.size, CALLS, 'one dialog per call');
    assert.equal(uas.count('ack-timeout'), 0, 'no 2xx went unacknowledged');
    assert.equal(uas.stack.ua.dialogs.size, 0);
  });

  it(`answers ${CALLS * MESSAGES_PER_CALL} MESSAGEs 200 and hands each to the application once`, async () => {
    messages.length = 0;
    await expectScenarioPasses({ ...lossy, scenario: 'uac-message-retransmit-200.xml', port: uas.port('udp') });

    assert.equal(new Set(messages).size, messages.length, `a MESSAGE was delivered twice: ${duplicates(messages)}`);
    assert.equal(messages.length, CALLS * MESSAGES_PER_CALL, 'MESSAGEs reaching the application');
  });

  it(`answers ${CALLS} OPTIONS 200 from the application despite the loss`, async () => {
    await expectScenarioPasses({ ...lossy, scenario: 'uac-options-200.xml', port: app.sipPort('udp') });
  });
});

function duplicates(items: string[]): string {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item) ? true : (seen.add(item), false))).join(', ');
}
