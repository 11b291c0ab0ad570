import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';

/**
 * The 49 RFC 4475 torture messages, read from the shared conformance folder (never copied here).
 * `parsed` messages must parse; the `layer` says who acts on them next and with which answer.
 * `answer` messages are refused by the parser with that status (requests, with a partial request to
 * answer from); `drop` responses are refused and, being responses, dropped.
 */
type Expectation =
  | { readonly kind: 'parsed'; readonly layer: string }
  | { readonly kind: 'answer'; readonly status: number; readonly reason: RegExp }
  | { readonly kind: 'drop' };

const parsed = (layer: string): Expectation => ({ kind: 'parsed', layer });
const answer = (status: number, reason: RegExp): Expectation => ({ kind: 'answer', status, reason });

const EXPECTED: Readonly<Record<string, Expectation>> = {
  // 3.1.1 valid messages
  'wsinv.dat': parsed('valid'),
  'intmeth.dat': parsed('valid'),
  'esc01.dat': parsed('valid'),
  'escnull.dat': parsed('valid'),
  'esc02.dat': parsed('valid'),
  'lwsdisp.dat': parsed('valid'),
  'longreq.dat': parsed('valid'),
  'dblreq.dat': parsed('valid: the second request in the datagram is ignored'),
  'semiuri.dat': parsed('valid'),
  'transports.dat': parsed('valid'),
  'mpart01.dat': parsed('valid'),
  'unreason.dat': parsed('valid response'),
  'noreason.dat': parsed('valid response'),
  // 3.1.2 invalid messages
  'badinv01.dat': answer(400, /Via/),
  'clerr.dat': answer(400, /Content-Length/),
  'ncl.dat': answer(400, /Content-Length/),
  'scalar02.dat': answer(400, /CSeq/),
  'scalarlg.dat': { kind: 'drop' },
  'quotbal.dat': answer(400, /To/),
  'ltgtruri.dat': answer(400, /Request-URI/),
  'lwsruri.dat': answer(400, /Request Line/),
  'lwsstart.dat': answer(400, /Request Line/),
  'trws.dat': answer(400, /Request Line/),
  'escruri.dat': answer(400, /Request-URI/),
  'baddate.dat': parsed('UA: Date is not used, so it is ignored as RFC 4475 allows'),
  'regbadct.dat': answer(400, /Contact/),
  'badaspec.dat': answer(400, /To/),
  'baddn.dat': answer(400, /From/),
  'badvers.dat': answer(505, /Version Not Supported/),
  'mismatch01.dat': answer(400, /CSeq Method Mismatch/),
  'mismatch02.dat': answer(501, /Not Implemented/),
  'bigcode.dat': { kind: 'drop' },
  // 3.2 transaction layer
  'badbranch.dat': parsed('transaction: branch is only the magic cookie, matched RFC 2543-style'),
  // 3.3 application layer
  'insuf.dat': answer(400, /Missing/),
  'unkscm.dat': parsed('UA: 416 Unsupported URI Scheme'),
  'novelsc.dat': parsed('UA: 416 Unsupported URI Scheme'),
  'unksm2.dat': parsed('UA: REGISTER, not a registrar: 405'),
  'bext01.dat': parsed('UA: 420 Bad Extension with Unsupported'),
  'invut.dat': parsed('UA: 415 Unsupported Media Type with Accept'),
  'regaut01.dat': parsed('UA: REGISTER, not a registrar: 405'),
  'multi01.dat': answer(400, /Multiple/),
  'mcl01.dat': answer(400, /Content-Length/),
  'bcast.dat': parsed('transport/transaction: response with no matching transaction, dropped'),
  'zeromf.dat': parsed('UA: a UAS processes it normally (483 is for proxies)'),
  'cparam01.dat': parsed('UA: REGISTER, not a registrar: 405'),
  'cparam02.dat': parsed('UA: REGISTER, not a registrar: 405'),
  'regescrt.dat': parsed('UA: REGISTER, not a registrar: 405'),
  'sdp01.dat': parsed('UA: 406 Not Acceptable'),
  // 3.4 backward compatibility
  'inv2543.dat': parsed('transaction: RFC 2543 matching (no branch); body to the end of the datagram'),
};

const DIR = path.resolve(__dirname, '../../../../../shared/conformance/rfc4475');
const limits: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

describe('RFC 4475 torture messages', function () {
  before(function () {
    if (!fs.existsSync(DIR)) {
      console.log(`    skipped: no conformance folder at ${DIR}`);
      this.skip();
    }
  });

  it('has an expectation for each of the 49 files and a file for each expectation', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.dat'));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, expectation] of Object.entries(EXPECTED)) {
    const title =
      expectation.kind === 'parsed'
        ? `${file}: parses (${expectation.layer})`
        : expectation.kind === 'answer'
          ? `${file}: refused by the parser with ${expectation.status}, answerable`
          : `${file}: refused by the parser and dropped (a response)`;
    it(title, () => {
      const data = fs.readFileSync(path.join(DIR, file));
      if (expectation.kind === 'parsed') {
        const msg = parseMessage(data, limits);
        // Every parsed message must also survive a serialize/parse round trip.
        const again = parseMessage(serializeMessage(msg), limits);
        assert.deepEqual(
          again.headers.entries().filter((f) => f.key !== 'content-length'),
          msg.headers.entries().filter((f) => f.key !== 'content-length'),
        );
        assert.deepEqual(again.body, msg.body);
        return;
      }
      let error: unknown;
      try {
        parseMessage(data, limits);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof SipParseError, 'throws SipParseError');
      if (expectation.kind === 'drop') {
        assert.equal(error.partial, undefined);
        return;
      }
      assert.equal(error.status, expectation.status, error.message);
      assert.match(error.reason, expectation.reason);
      assert.ok(error.partial, 'carries the partial request');
      assert.ok(error.partial.headers.has('via'), 'the partial request has a Via to answer to');
    });
  }

  it('dblreq.dat: takes the first request and ignores the bytes after its Content-Length', () => {
    const msg = parseMessage(fs.readFileSync(path.join(DIR, 'dblreq.dat')), limits);
    assert.ok(msg.isRequest());
    assert.equal(msg.method, 'REGISTER');
    assert.equal(msg.body.length, 0);
  });

  it('wsinv.dat: unfolds, reads LWS everywhere and unescapes the quoted display name', () => {
    const msg = parseMessage(fs.readFileSync(path.join(DIR, 'wsinv.dat')), limits);
    assert.equal(msg.from.displayName, 'J Rosenberg \\"');
    assert.equal(msg.fromTag, '98asjd8');
    assert.equal(msg.toTag, '1918181833n');
    assert.deepEqual(msg.cseq, { seq: 9, method: 'INVITE' });
    assert.deepEqual(
      msg.vias.map((v) => [v.protocol, v.host, v.params.get('branch')]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(msg.contacts[0]?.params.get('q'), '0.33');
    assert.equal(msg.headers.get('max-forwards'), '0068');
    assert.equal(msg.body.length, 150);
  });

  it('intmeth.dat and esc02.dat: keep unusual methods, escapes and UTF-8 values as written', () => {
    const intmeth = parseMessage(fs.readFileSync(path.join(DIR, 'intmeth.dat')), limits);
    assert.ok(intmeth.isRequest());
    assert.equal(intmeth.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.equal(intmeth.requestUri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(intmeth.from.params.get("fromparam''~+*_!.-%"), '"работающий"');
    const esc02 = parseMessage(fs.readFileSync(path.join(DIR, 'esc02.dat')), limits);
    assert.ok(esc02.isRequest());
    assert.equal(esc02.method, 'RE%47IST%45R');
    assert.equal(esc02.contacts.length, 2, 'C%6Fntact is another header, not Contact');
  });

  it('unreason.dat: reads a UTF-8 reason phrase', () => {
    const msg = parseMessage(fs.readFileSync(path.join(DIR, 'unreason.dat')), limits);
    assert.ok(!msg.isRequest());
    assert.match(msg.reason, /^= 2\*\*3 \* 5\*\*2 но сто девяносто девять/);
  });
});
