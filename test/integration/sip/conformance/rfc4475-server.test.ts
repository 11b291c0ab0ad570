import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../../support/test-app';
import { TestUas } from '../../../support/test-uas';
import { callIdOf, tcpExchange, UdpTortureClient, withRport } from './torture-client';

const DIR = path.resolve(__dirname, '../../../../../shared/conformance/rfc4475');

/** No answer: responses (matched to no transaction) and, over TCP, a message that never completes. */
const DROP = 0;

/**
 * What this server (an application server: a UAS for OPTIONS, MESSAGE, REGISTER; a B2BUA for INVITE)
 * answers to each RFC 4475 message. INVITEs that are valid reach the called party, who answers 486 here.
 * Where RFC 4475 lets an element choose, the choice is the stricter one and the comment says why.
 */
const EXPECTED: Record<string, { udp: number; tcp?: number; why: string }> = {
  // 3.1.1 valid messages: parsed and answered as valid requests.
  'wsinv.dat': { udp: 481, why: '§3.1.1.1 valid; its To tag names a dialog we do not have' },
  'intmeth.dat': { udp: 501, why: '§3.1.1.2 valid; an extension method we do not implement' },
  'esc01.dat': { udp: 486, why: '§3.1.1.3 valid INVITE, relayed to the callee' },
  'escnull.dat': { udp: 405, why: '§3.1.1.4 valid REGISTER; we are not a registrar' },
  'esc02.dat': { udp: 501, why: '§3.1.1.5 valid; RE%47IST%45R is an unknown method, not REGISTER' },
  'lwsdisp.dat': { udp: 200, why: '§3.1.1.6 valid OPTIONS' },
  'longreq.dat': { udp: 486, why: '§3.1.1.7 valid INVITE with long values, relayed' },
  'dblreq.dat': { udp: 405, why: '§3.1.1.8 valid REGISTER; the trailing octets are ignored on UDP' },
  'semiuri.dat': { udp: 200, why: '§3.1.1.9 valid OPTIONS' },
  'transports.dat': { udp: 200, why: '§3.1.1.10 valid OPTIONS with unknown transports in lower Vias' },
  'mpart01.dat': { udp: 415, why: '§3.1.1.11 valid MESSAGE; a multipart body is not a type MESSAGE takes here' },
  'unreason.dat': { udp: DROP, why: '§3.1.1.12 valid response, matching no transaction' },
  'noreason.dat': { udp: DROP, why: '§3.1.1.13 valid response, matching no transaction' },
  // 3.1.2 invalid messages.
  'badinv01.dat': { udp: 400, why: '§3.1.2.1 extraneous separators in Via' },
  'clerr.dat': {
    udp: 400,
    tcp: DROP,
    why: '§3.1.2.2 Content-Length past the datagram; on TCP the stream waits for more',
  },
  'ncl.dat': { udp: 400, why: '§3.1.2.3 negative Content-Length' },
  'scalar02.dat': { udp: 400, why: '§3.1.2.4 overlarge scalar fields' },
  'scalarlg.dat': { udp: DROP, why: '§3.1.2.5 an unparsable response is discarded' },
  'quotbal.dat': { udp: 400, why: '§3.1.2.6 unterminated quoted string' },
  'ltgtruri.dat': { udp: 400, why: '§3.1.2.7 <> around the Request-URI' },
  'lwsruri.dat': { udp: 400, why: '§3.1.2.8 LWS inside the Request-URI' },
  'lwsstart.dat': { udp: 400, why: '§3.1.2.9 several SP in the request line (strict choice)' },
  'trws.dat': { udp: 400, why: '§3.1.2.10 SP at the end of the request line (strict choice)' },
  'escruri.dat': { udp: 400, why: '§3.1.2.11 escaped headers in the Request-URI' },
  'baddate.dat': { udp: 486, why: '§3.1.2.12 a bad Date is ignored: a UAS does not use it; relayed' },
  'regbadct.dat': { udp: 400, why: '§3.1.2.13 name-addr with a parameter not in <>' },
  'badaspec.dat': { udp: 400, why: '§3.1.2.14 spaces within addr-spec (strict choice)' },
  'baddn.dat': {
    udp: 400,
    tcp: DROP,
    why: '§3.1.2.15 non-token characters in a display name; the file has no blank line ending its head, so a stream waits',
  },
  'badvers.dat': { udp: 505, why: '§3.1.2.16 SIP/7.0' },
  'mismatch01.dat': { udp: 400, why: '§3.1.2.17 start line and CSeq methods differ' },
  'mismatch02.dat': { udp: 501, why: '§3.1.2.18 unknown method in the start line: 501 as the RFC prefers' },
  'bigcode.dat': { udp: DROP, why: '§3.1.2.19 a response code over 699 is discarded' },
  // 3.2 transaction layer.
  'badbranch.dat': { udp: 200, why: '§3.2.1 a bare magic cookie branch: matched the RFC 2543 way, answered' },
  // 3.3 application layer.
  'insuf.dat': { udp: 400, why: '§3.3.1 missing Call-ID, From and To' },
  'unkscm.dat': { udp: 416, why: '§3.3.2 unknown Request-URI scheme' },
  'novelsc.dat': { udp: 416, why: '§3.3.3 a scheme we do not handle' },
  'unksm2.dat': { udp: 405, why: '§3.3.4 REGISTER; unknown schemes in headers do not matter first' },
  'bext01.dat': { udp: 420, why: '§3.3.5 Require of an unknown extension; a UAS ignores Proxy-Require' },
  'invut.dat': { udp: 415, why: '§3.3.6 unknown Content-Type' },
  'regaut01.dat': { udp: 405, why: '§3.3.7 REGISTER' },
  'multi01.dat': { udp: 400, why: '§3.3.8 several values in single-value headers' },
  'mcl01.dat': { udp: 400, why: '§3.3.9 several Content-Length values' },
  'bcast.dat': { udp: DROP, why: '§3.3.10 a response matching no transaction' },
  'zeromf.dat': { udp: 200, why: '§3.3.11 Max-Forwards 0: an endpoint processes the request' },
  'cparam01.dat': { udp: 405, why: '§3.3.12 REGISTER' },
  'cparam02.dat': { udp: 405, why: '§3.3.13 REGISTER' },
  'regescrt.dat': { udp: 405, why: '§3.3.14 REGISTER' },
  'sdp01.dat': { udp: 406, why: '§3.3.15 an Accept without SDP: no answer we can give fits' },
  // 3.4 backwards compatibility.
  'inv2543.dat': { udp: 486, tcp: 400, why: '§3.4.1 RFC 2543 INVITE, relayed; on TCP it lacks a Content-Length' },
};

const PROBE = (port: number, n: string) =>
  Buffer.from(
    [
      'OPTIONS sip:probe@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-probe-${n};rport`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=p',
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: probe-${n}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );

describe('RFC 4475 torture messages against the whole server', function () {
  this.timeout(120_000);
  let app: TestApp;
  let callee: TestUas;
  const files = Object.keys(EXPECTED);

  before(async function () {
    if (!existsSync(DIR)) {
      console.warn(`    ${DIR} is absent: skipping the RFC 4475 conformance test`);
      this.skip();
    }
    callee = await TestUas.start({ kind: 'reject', status: 486 });
  });

  after(async () => {
    await app?.stop();
    await callee?.stop();
  });

  /**
   * A fresh server per message: several messages share a branch and sent-by (z9hG4bKkdjuw), so within
   * Timer J the second is, rightly, a retransmission of the first; the RFC means each to be judged alone.
   */
  async function freshServer(): Promise<void> {
    await app?.stop();
    app = await startTestApp({ b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` } });
  }

  it('has an expectation for every message in the collection', () => {
    assert.equal(files.length, 49);
    for (const f of files) assert.ok(existsSync(path.join(DIR, f)), `${f} is in the collection`);
  });

  describe('over UDP', () => {
    let client: UdpTortureClient;
    before(async () => {
      client = await UdpTortureClient.open();
    });
    beforeEach(freshServer);
    after(() => client?.close());

    for (const file of files) {
      const expected = EXPECTED[file]!;
      it(`${file}: ${expected.udp === DROP ? 'no answer' : expected.udp} (${expected.why})`, async () => {
        const message = readFileSync(path.join(DIR, file));
        const callId = callIdOf(message);
        await client.send(withRport(message), app.sipPort('udp'));
        const ours = (r: { status: number; callId: string | null }) => r.status >= 200 && r.callId === callId;
        if (expected.udp === DROP) {
          const got = await client.take(ours, 300);
          assert.equal(got, null, `expected no answer, got ${got?.status}`);
        } else {
          const got = await client.take(ours, 5000);
          assert.equal(got?.status, expected.udp, got ? got.text.split('\r\n')[0] : 'no answer');
        }
        await client.send(PROBE(client.port, file), app.sipPort('udp'));
        const probe = await client.take((r) => r.callId === `probe-${file}`, 3000);
        assert.equal(probe?.status, 200, 'the server still answers OPTIONS');
      });
    }
  });

  describe('over TCP', () => {
    beforeEach(freshServer);
    for (const file of files) {
      const expected = EXPECTED[file]!;
      const status = expected.tcp ?? expected.udp;
      it(`${file}: ${status === DROP ? 'no answer' : status}`, async () => {
        const message = readFileSync(path.join(DIR, file));
        const got = await tcpExchange(message, app.sipPort('tcp'), status === DROP ? 500 : 5000);
        assert.equal(got?.status ?? DROP, status, got ? got.text.split('\r\n')[0] : 'no answer');
        const probe = await tcpExchange(PROBE(0, `tcp-${file}`), app.sipPort('tcp'), 3000);
        assert.equal(probe?.status, 200, 'the server still answers OPTIONS');
      });
    }
  });
});
