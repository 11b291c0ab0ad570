import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertSippSuccess,
  discardWorkDir,
  isFree,
  isSippInstalled,
  runSipp,
  SippHarnessError,
  startSipp,
  type SippResult,
  type SippRunOptions,
  type SippTransport,
} from '../../support/sipp';

const FIXTURES = join(__dirname, 'fixtures');

interface PairResult {
  client: SippResult;
  server: SippResult;
}

/** A SIPp UAS listening first, then a SIPp UAC sent at it; both results once both have exited. */
async function runPair(
  uas: string,
  uac: string,
  transport: SippTransport,
  options: { host?: string; client?: Partial<SippRunOptions>; server?: Partial<SippRunOptions> } = {},
): Promise<PairResult> {
  const host = options.host ?? '127.0.0.1';
  const server = await startSipp({ scenario: uas, transport, localHost: host, timeoutMs: 15_000, ...options.server });
  await server.whenListening();
  const client = await runSipp({
    scenario: uac,
    transport,
    target: { host, port: server.localPort },
    timeoutMs: 15_000,
    ...options.client,
  });
  return { client, server: await server.result };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The message `assertSippSuccess` fails with; fails the test if it does not throw. */
function failureMessage(result: SippResult): string {
  try {
    assertSippSuccess(result);
  } catch (err: unknown) {
    assert.ok(err instanceof assert.AssertionError);
    return err.message;
  }
  assert.fail(`expected ${result.scenario} to be reported as failed`);
}

async function ipv6Loopback(): Promise<boolean> {
  return isFree('udp', '::1', 0).catch(() => false);
}

describe('SIPp harness: runner', function () {
  this.timeout(40_000);

  before(async function () {
    if (!(await isSippInstalled())) {
      console.warn('SIPp is not installed (set CMR_SIPP_BIN or install sip-tester): skipping the SIPp harness tests');
      this.skip();
    }
  });

  for (const transport of ['udp', 'tcp'] as const) {
    describe(`over ${transport.toUpperCase()} on 127.0.0.1`, () => {
      it('reports a successful OPTIONS exchange with counters, traces and per-message counts', async () => {
        const { client, server } = await runPair('uas-options-200.xml', 'uac-options-200.xml', transport);

        assertSippSuccess(client);
        assertSippSuccess(server);
        assert.equal(client.exitCode, 0);
        assert.equal(client.timedOut, false);
        assert.equal(client.stats.source, 'csv');
        assert.equal(client.stats.successfulCalls, 1);
        assert.equal(client.stats.failedCalls, 0);
        const proto = transport.toUpperCase();
        assert.match(
          client.messageTrace,
          new RegExp(`${proto} message sent[\\s\\S]*OPTIONS sip:service@127\\.0\\.0\\.1:${server.localPort} SIP/2\\.0`),
        );
        assert.match(client.messageTrace, /Subject: uac-options-200/);
        assert.match(client.messageTrace, new RegExp(`${proto} message received[\\s\\S]*SIP/2\\.0 200 OK`));
        assert.match(server.messageTrace, /Subject: uac-options-200/);
        assert.deepEqual(
          client.messages.map((m) => [m.direction, m.name, m.count]),
          [
            ['send', 'OPTIONS', 1],
            ['recv', '200', 1],
          ],
        );
        assert.equal(client.workDir, undefined, 'a successful run leaves no directory behind');
      });

      it('runs a call INVITE/180/200/ACK/BYE/200 between uac-invite-bye-200 and uas-answer-200', async () => {
        const { client, server } = await runPair('uas-answer-200.xml', 'uac-invite-bye-200.xml', transport, {
          client: { pauseMs: 200 },
        });

        assertSippSuccess(client);
        assertSippSuccess(server);
        const seen = client.messages.filter((m) => m.count > 0).map((m) => `${m.direction} ${m.name} x${m.count}`);
        assert.deepEqual(seen, [
          'send INVITE x1',
          'recv 180 x1',
          'recv 200 x1',
          'send ACK x1',
          'pause Pause x1',
          'send BYE x1',
          'recv 200 x1',
        ]);
        assert.match(
          client.messageTrace,
          /ACK sip:127\.0\.0\.1:\d+;transport=/,
          'the ACK goes to the Contact of the 200',
        );
      });

      it('cancels a ringing call: 200 for the CANCEL, 487 for the INVITE, ACK', async () => {
        const { client, server } = await runPair('uas-no-answer.xml', 'uac-invite-cancel-487.xml', transport);

        assertSippSuccess(client);
        assertSippSuccess(server);
        assert.match(server.messageTrace, /CANCEL sip:/);
        const inviteBranch = /INVITE sip:[^\n]*\nVia: [^\n]*branch=([^;\s]+)/.exec(client.messageTrace)?.[1];
        assert.ok(inviteBranch, 'the INVITE is in the trace');
        assert.match(client.messageTrace, new RegExp(`CANCEL sip:[^\\n]*\\nVia: [^\\n]*branch=${inviteBranch}`));
        assert.match(client.messageTrace, new RegExp(`ACK sip:[^\\n]*\\nVia: [^\\n]*branch=${inviteBranch}`));
      });

      it('has an out-of-dialog MESSAGE answered 200 without a body', async () => {
        const { client, server } = await runPair('uas-message-200.xml', 'uac-message-200.xml', transport);

        assertSippSuccess(client);
        assertSippSuccess(server);
        assert.match(server.messageTrace, /MESSAGE sip:service@[\s\S]*Content-Type: text\/plain/);
      });

      it('refuses a call with 486 and acknowledges it', async () => {
        const { client, server } = await runPair('uas-busy-486.xml', 'uac-invite-busy-486.xml', transport);

        assertSippSuccess(client);
        assertSippSuccess(server);
        assert.match(client.messageTrace, /SIP\/2\.0 486 Busy Here/);
      });
    });
  }

  it('answers the announcement leg with a send-only SDP from uas-media-server-200', async () => {
    const { client, server } = await runPair('uas-media-server-200.xml', 'uac-invite-bye-200.xml', 'udp');

    assertSippSuccess(client);
    assertSippSuccess(server);
    assert.match(client.messageTrace, /a=sendonly/);
  });

  it('runs over IPv6 on ::1 when the UAC targets ::1', async function () {
    if (!(await ipv6Loopback())) this.skip();
    const { client, server } = await runPair('uas-options-200.xml', 'uac-options-200.xml', 'udp', { host: '::1' });

    assertSippSuccess(client);
    assertSippSuccess(server);
    assert.equal(client.localHost, '::1');
    assert.match(client.messageTrace, /OPTIONS sip:service@\[::1\]:\d+ SIP\/2\.0/);
  });

  it('completes five MESSAGE transactions despite 10% packet loss, through retransmissions', async () => {
    const { client, server } = await runPair(
      'uas-message-retransmit-200.xml',
      'uac-message-retransmit-200.xml',
      'udp',
      {
        client: { lost: 10 },
      },
    );

    assertSippSuccess(client);
    assertSippSuccess(server);
    const sent = client.messages.find((m) => m.direction === 'send' && m.name === 'MESSAGE');
    assert.equal(sent?.count, 5);
    const branches = new Set([...client.messageTrace.matchAll(/^Via: .*branch=(\S+)/gm)].map((m) => m[1]));
    assert.ok(branches.size >= 5, `each MESSAGE has its own branch, saw ${[...branches].join(', ')}`);
  });

  it('passes -key variables and -s to SIPp and keeps them in the command', async () => {
    const { client } = await runPair('uas-options-200.xml', 'uac-options-200.xml', 'udp', {
      client: { serviceUser: 'copy-service', variables: { unused_key: 'x' } },
    });

    assertSippSuccess(client);
    assert.match(client.messageTrace, /OPTIONS sip:copy-service@127\.0\.0\.1/);
    assert.ok(client.command.join(' ').includes('-key unused_key x'));
  });

  it('reports a failed check as failedCalls=1 with a nonzero exit, and keeps the traces for the report', async () => {
    const { client, server } = await runPair(
      join(FIXTURES, 'uas-options-200-without-allow.xml'),
      'uac-options-200.xml',
      'udp',
    );

    try {
      assertSippSuccess(server);
      assert.equal(client.exitCode, 1);
      assert.equal(client.timedOut, false);
      assert.equal(client.stats.failedCalls, 1);
      assert.equal(client.stats.successfulCalls, 0);
      assert.equal(client.stats.failedRegexpHdrNotFound, 1);
      assert.match(client.errorTrace, /Allow/);
      assert.ok(client.workDir && existsSync(client.workDir), 'the run directory is kept on failure');

      const message = failureMessage(client);
      assert.match(message, /uac-options-200\.xml did not succeed/);
      assert.match(message, /exit 1 \(at least one call failed\)/);
      assert.match(message, /header for regexp not found 1/);
      assert.match(message, /--- error trace/);
      assert.match(message, /--- message trace[\s\S]*SIP\/2\.0 200 OK/);
      assert.ok(message.includes(`work dir kept: ${client.workDir}`));
    } finally {
      await discardWorkDir(client);
    }
    assert.equal(client.workDir, undefined);
  });

  it('kills a scenario that waits forever at the deadline and leaves no SIPp process behind', async () => {
    const run = await startSipp({
      scenario: 'uas-no-answer.xml',
      transport: 'udp',
      timeoutMs: 3000,
      sippTimeoutMs: 60_000,
      keepWorkDir: 'never',
    });
    await run.whenListening();
    const result = await run.result;

    assert.equal(result.timedOut, true);
    assert.ok(result.durationMs >= 2900 && result.durationMs < 8000, `killed after ${result.durationMs} ms`);
    assert.ok(result.exitCode !== null || result.signal !== null);
    assert.equal(processExists(result.pid), false, `SIPp pid ${result.pid} is gone`);
    assert.equal(await isFree('udp', '127.0.0.1', result.localPort), true, 'its SIP port is released');
    assert.throws(() => assertSippSuccess(result), /killed by the harness/);
  });

  it('stops a run on demand and reports it as not successful', async () => {
    const run = await startSipp({ scenario: 'uas-answer-200.xml', transport: 'tcp', keepWorkDir: 'never' });
    await run.whenListening();
    const result = await run.stop();

    assert.equal(result.timedOut, true);
    assert.equal(processExists(run.pid), false);
    assert.ok(result.durationMs < 5000);
  });

  it('rejects a scenario file that does not exist before starting SIPp', async () => {
    await assert.rejects(
      runSipp({ scenario: 'uac-no-such-scenario.xml', transport: 'udp', target: { host: '127.0.0.1', port: 5060 } }),
      (err: unknown) => err instanceof SippHarnessError && err.code === 'SIPP.SCENARIO_NOT_FOUND',
    );
  });

  it('refuses to send anywhere but loopback', async () => {
    await assert.rejects(
      runSipp({ scenario: 'uac-options-200.xml', transport: 'udp', target: { host: '192.0.2.1', port: 5060 } }),
      (err: unknown) => err instanceof SippHarnessError && err.code === 'SIPP.NOT_LOOPBACK',
    );
  });

  it('rejects a UAS that cannot bind its port as not listening', async () => {
    const first = await startSipp({ scenario: 'uas-options-200.xml', transport: 'udp', keepWorkDir: 'never' });
    await first.whenListening();
    const second = await startSipp({
      scenario: 'uas-options-200.xml',
      transport: 'udp',
      localPort: first.localPort,
      keepWorkDir: 'never',
    });
    try {
      await assert.rejects(
        second.whenListening(3000),
        (err: unknown) => err instanceof SippHarnessError && err.code === 'SIPP.NOT_LISTENING',
      );
      const secondResult = await second.result;
      assert.notEqual(secondResult.exitCode, 0);
      assert.equal(secondResult.timedOut, false);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
