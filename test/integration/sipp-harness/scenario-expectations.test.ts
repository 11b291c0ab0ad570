import assert from 'node:assert/strict';
import {
  assertSippSuccess,
  discardWorkDir,
  isSippInstalled,
  runSipp,
  type SippResult,
  type SippRunOptions,
} from '../../support/sipp';
import {
  startScriptedResponder,
  type ReceivedRequest,
  type Reply,
  type RequestHandler,
} from '../../support/sipp/scripted-responder';

/**
 * The error-answer scenarios are written for the server, which does not exist yet here. These
 * tests hold each one against a scripted UDP responder: the answer RFC 3261 asks for must pass,
 * and a plausible wrong answer must fail, so a scenario can neither reject a right server nor
 * accept a wrong one.
 */

const ALLOW = 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO';

const answer =
  (status: number, reason: string, headers: string[] = []): RequestHandler =>
  (request) =>
    request.method === 'ACK' ? [] : [{ status, reason, headers }];

async function runAgainst(scenario: string, handle: RequestHandler, options: Partial<SippRunOptions> = {}) {
  const responder = await startScriptedResponder({ handle });
  try {
    const result = await runSipp({
      scenario,
      transport: 'udp',
      target: { host: responder.host, port: responder.port },
      timeoutMs: 15_000,
      recvTimeoutMs: 3000,
      keepWorkDir: 'never',
      ...options,
    });
    return { result, received: [...responder.received] };
  } finally {
    await responder.close();
  }
}

function assertFailedCall(result: SippResult): void {
  assert.equal(result.timedOut, false, 'SIPp ended by itself');
  assert.equal(result.exitCode, 1, `exit code of ${result.scenario}`);
  assert.equal(result.stats.failedCalls, 1);
}

/** 200 for the first of two requests with the same Call-ID, From tag and CSeq; 482 for any other branch. */
function mergedRequestDetector(): RequestHandler {
  const firstBranch = new Map<string, string>();
  return (request: ReceivedRequest): Reply[] => {
    const key = `${request.header('Call-ID')}|${request.header('From')}|${request.header('CSeq')}`;
    const branch = /branch=([^;\s]+)/.exec(request.header('Via') ?? '')?.[1] ?? '';
    const first = firstBranch.get(key);
    if (first === undefined) firstBranch.set(key, branch);
    return first === undefined || first === branch
      ? [{ status: 200, reason: 'OK', headers: [ALLOW] }]
      : [{ status: 482, reason: 'Loop Detected' }];
  };
}

interface Expectation {
  scenario: string;
  right: RequestHandler;
  wrong: { why: string; handle: RequestHandler };
  options?: Partial<SippRunOptions>;
}

const expectations: Expectation[] = [
  {
    scenario: 'uac-message-200.xml',
    right: answer(200, 'OK'),
    wrong: {
      why: 'the 200 has a body',
      handle: (r) => [{ status: 200, reason: 'OK', body: 'unexpected' }].filter(() => r.method === 'MESSAGE'),
    },
  },
  {
    scenario: 'uac-options-200.xml',
    right: answer(200, 'OK', [ALLOW, 'Accept: application/sdp', 'Supported: ']),
    wrong: {
      why: 'Allow misses BYE',
      handle: answer(200, 'OK', ['Allow: INVITE, ACK, CANCEL, OPTIONS', 'Accept: application/sdp', 'Supported: ']),
    },
  },
  {
    scenario: 'uac-subscribe-405.xml',
    right: answer(405, 'Method Not Allowed', [ALLOW]),
    wrong: {
      why: 'Allow lists the refused method',
      handle: answer(405, 'Method Not Allowed', [`${ALLOW}, SUBSCRIBE`]),
    },
  },
  {
    scenario: 'uac-message-unsupported-type-415.xml',
    right: answer(415, 'Unsupported Media Type', ['Accept: text/plain, application/sdp']),
    wrong: { why: 'no Accept header', handle: answer(415, 'Unsupported Media Type') },
  },
  {
    scenario: 'uac-options-unsupported-scheme-416.xml',
    right: answer(416, 'Unsupported URI Scheme'),
    wrong: { why: 'answered 404', handle: answer(404, 'Not Found') },
  },
  {
    scenario: 'uac-options-require-420.xml',
    right: answer(420, 'Bad Extension', ['Unsupported: nosuchextension']),
    wrong: { why: 'no Unsupported header', handle: answer(420, 'Bad Extension') },
  },
  {
    scenario: 'uac-bye-unknown-dialog-481.xml',
    right: answer(481, 'Call/Transaction Does Not Exist'),
    wrong: { why: 'answered 200', handle: answer(200, 'OK') },
  },
  {
    scenario: 'uac-cancel-unknown-transaction-481.xml',
    right: answer(481, 'Call/Transaction Does Not Exist'),
    wrong: {
      why: 'answered without a To tag',
      handle: (r) =>
        [{ status: 481, reason: 'Call/Transaction Does Not Exist', addToTag: false }].filter(
          () => r.method === 'CANCEL',
        ),
    },
  },
  {
    scenario: 'uac-options-merged-482.xml',
    right: mergedRequestDetector(),
    wrong: { why: 'both copies answered 200', handle: answer(200, 'OK', [ALLOW]) },
  },
  {
    scenario: 'uac-invite-max-forwards-483.xml',
    right: answer(483, 'Too Many Hops'),
    wrong: { why: 'the call is put through', handle: answer(180, 'Ringing') },
    options: { recvTimeoutMs: 1500 },
  },
  {
    scenario: 'uac-options-max-forwards-zero-200.xml',
    right: answer(200, 'OK', [ALLOW]),
    wrong: { why: 'answered 483 though the server is the destination', handle: answer(483, 'Too Many Hops') },
  },
  {
    scenario: 'uac-options-version-505.xml',
    right: answer(505, 'Version Not Supported'),
    wrong: { why: 'answered 400', handle: answer(400, 'Bad Request') },
  },
  {
    scenario: 'uac-options-missing-from-400.xml',
    right: answer(400, 'Bad Request'),
    wrong: { why: 'answered 200', handle: answer(200, 'OK', [ALLOW]) },
  },
  {
    scenario: 'uac-message-content-length-overrun-400.xml',
    right: answer(400, 'Bad Request'),
    wrong: { why: 'the short body is accepted', handle: answer(200, 'OK') },
  },
  {
    scenario: 'uac-message-too-large-513.xml',
    right: (r) => [
      Buffer.byteLength(r.raw) > 2048 ? { status: 513, reason: 'Message Too Large' } : { status: 200, reason: 'OK' },
    ],
    wrong: { why: 'the large body is accepted', handle: answer(200, 'OK') },
    options: { globals: { body_bytes: '3000' } },
  },
];

describe('SIPp harness: scenario expectations against a scripted responder', function () {
  this.timeout(30_000);

  before(async function () {
    if (!(await isSippInstalled())) this.skip();
  });

  for (const { scenario, right, wrong, options } of expectations) {
    it(`${scenario} passes when the answer is right`, async () => {
      const { result } = await runAgainst(scenario, right, options);
      assertSippSuccess(result);
    });

    it(`${scenario} fails when ${wrong.why}`, async () => {
      const { result } = await runAgainst(scenario, wrong.handle, options);
      try {
        assertFailedCall(result);
      } finally {
        await discardWorkDir(result);
      }
    });
  }

  it('sends the merged copies with one Call-ID, From tag and CSeq but two branches', async () => {
    const { received } = await runAgainst('uac-options-merged-482.xml', mergedRequestDetector());

    const [first, second] = received;
    assert.ok(first && second);
    for (const name of ['Call-ID', 'From', 'CSeq']) assert.equal(first.header(name), second.header(name), name);
    assert.notEqual(first.header('Via'), second.header('Via'));
  });

  it('acknowledges the 483 on the INVITE branch', async () => {
    const { result, received } = await runAgainst('uac-invite-max-forwards-483.xml', answer(483, 'Too Many Hops'));

    assertSippSuccess(result);
    const branchOf = (r: ReceivedRequest | undefined): string | undefined =>
      /branch=([^;\s]+)/.exec(r?.header('Via') ?? '')?.[1];
    const invite = received.find((r) => r.method === 'INVITE');
    const ack = received.find((r) => r.method === 'ACK');
    assert.equal(invite?.header('Max-Forwards'), '0');
    assert.ok(ack, 'an ACK was sent');
    assert.equal(branchOf(ack), branchOf(invite));
  });

  it('sizes the oversize MESSAGE body from -set body_bytes, 20 000 bytes by default', async () => {
    const sized = await runAgainst('uac-message-too-large-513.xml', answer(513, 'Message Too Large'), {
      globals: { body_bytes: '5000' },
    });
    const byDefault = await runAgainst('uac-message-too-large-513.xml', answer(513, 'Message Too Large'));

    assert.ok(Math.abs(Buffer.byteLength(sized.received[0]?.body ?? '') - 5000) <= 2);
    assert.ok(Math.abs(Buffer.byteLength(byDefault.received[0]?.body ?? '') - 20_000) <= 2);
  });

  it('sends a Content-Length larger than the body it sends', async () => {
    const { received } = await runAgainst('uac-message-content-length-overrun-400.xml', answer(400, 'Bad Request'));

    const request = received[0];
    assert.ok(request);
    assert.equal(request.header('Content-Length'), '100');
    assert.ok(Buffer.byteLength(request.body) < 100);
  });
});
