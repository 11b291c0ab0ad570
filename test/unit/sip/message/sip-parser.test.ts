import assert from 'node:assert/strict';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { SipRequest, SipResponse } from '../../../../src/sip/message/sip-message';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../../src/sip/message/sip-parser';

const limits: ParseLimits = { maxMessageBytes: 4096, maxHeaders: 32, maxLineBytes: 512 };

const HEAD = [
  'INVITE sip:bob@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK74bf9',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@127.0.0.1>',
  'From: "Alice" <sip:alice@127.0.0.1>;tag=9fxced76sl',
  'Call-ID: 3848276298220188511@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@127.0.0.1:5070>',
];

/** A request built from the default head with lines replaced (`name: null` removes the header). */
function req(
  opts: { replace?: Record<string, string | null>; add?: string[]; body?: string; cl?: boolean } = {},
): Buffer {
  const lines = HEAD.filter((l) => {
    const name = l.split(':')[0]!;
    return !(opts.replace && name in opts.replace && opts.replace[name] === null);
  }).map((l) => {
    const name = l.split(':')[0]!;
    const r = opts.replace?.[name];
    return r === undefined || r === null ? l : r;
  });
  if (opts.replace?.['start']) lines[0] = opts.replace['start'];
  const body = opts.body ?? '';
  if (opts.cl !== false) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from([...lines, ...(opts.add ?? []), '', body].join('\r\n'));
}

function parseError(data: Buffer, l: ParseLimits = limits): SipParseError {
  try {
    parseMessage(data, l);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  assert.fail('expected a SipParseError');
}

describe('parseMessage', () => {
  it('parses a request: start line, headers in order, parsed views and body', () => {
    const msg = parseMessage(req({ body: 'v=0\r\n', add: ['Content-Type: application/sdp'] }), limits);
    assert.ok(msg instanceof SipRequest);
    assert.equal(msg.method, 'INVITE');
    assert.equal(msg.uri, 'sip:bob@127.0.0.1');
    assert.equal(msg.requestUri.user, 'bob');
    assert.equal(msg.callId, '3848276298220188511@127.0.0.1');
    assert.deepEqual(msg.cseq, { seq: 1, method: 'INVITE' });
    assert.equal(msg.fromTag, '9fxced76sl');
    assert.equal(msg.toTag, null);
    assert.equal(msg.branch, 'z9hG4bK74bf9');
    assert.equal(msg.contentType, 'application/sdp');
    assert.equal(msg.body.toString(), 'v=0\r\n');
    assert.deepEqual(
      msg.headers.entries().map((f) => f.name),
      ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Content-Length', 'Content-Type'],
    );
  });

  it('parses a response with a UTF-8 reason phrase and with an empty one', () => {
    const head =
      'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>;tag=2\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n';
    const ok = parseMessage(Buffer.from(`SIP/2.0 180 Сейчас позвоним ✓\r\n${head}\r\n`), limits);
    assert.ok(ok instanceof SipResponse);
    assert.equal(ok.status, 180);
    assert.equal(ok.reason, 'Сейчас позвоним ✓');
    const empty = parseMessage(Buffer.from(`SIP/2.0 100 \r\n${head}\r\n`), limits);
    assert.ok(empty instanceof SipResponse);
    assert.equal(empty.reason, '');
  });

  it('counts Content-Length in bytes, so UTF-8 bodies are cut exactly', () => {
    const body = 'Grüße — 👋';
    const data = Buffer.concat([
      req({ body, replace: { start: 'MESSAGE sip:bob@127.0.0.1 SIP/2.0', CSeq: 'CSeq: 1 MESSAGE' } }),
      Buffer.from('TRAILING'),
    ]);
    const msg = parseMessage(data, limits);
    assert.equal(msg.body.toString('utf8'), body);
    assert.equal(msg.body.length, Buffer.byteLength(body));
  });

  it('takes the rest of the datagram as body when there is no Content-Length', () => {
    const msg = parseMessage(req({ cl: false, body: 'abc\r\n' }), limits);
    assert.equal(msg.body.toString(), 'abc\r\n');
  });

  it('reads compact forms and case-insensitive names, keeping the wire names', () => {
    const data = Buffer.from(
      'OPTIONS sip:b@h SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK2\r\nt: <sip:b@h>\r\nf: <sip:a@h>;tag=1\r\n' +
        'i: abc\r\nCSEQ: 2 OPTIONS\r\nm: <sip:a@h>\r\nl: 0\r\nc: text/plain\r\nk: 100rel\r\n\r\n',
    );
    const msg = parseMessage(data, limits);
    assert.equal(msg.callId, 'abc');
    assert.equal(msg.headers.get('Content-Type'), 'text/plain');
    assert.equal(msg.headers.get('supported'), '100rel');
    assert.equal(msg.contacts.length, 1);
    assert.equal(msg.headers.entries()[0]!.name, 'v');
  });

  it('unfolds continuation lines, allows whitespace before the colon and empty values', () => {
    const data = req({ add: ['Subject  :  ', 'X-Long: one', '\t two', '   three'] });
    const msg = parseMessage(data, limits);
    assert.equal(msg.headers.get('subject'), '');
    assert.equal(msg.headers.get('x-long'), 'one two three');
  });

  it('accepts bare LF line endings and leading CRLFs', () => {
    const text = req().toString().replace(/\r\n/g, '\n');
    const msg = parseMessage(Buffer.from('\r\n\r\n' + text), limits);
    assert.equal(msg.callId, '3848276298220188511@127.0.0.1');
  });

  it('splits comma-separated lists but not inside quotes or angle brackets', () => {
    const msg = parseMessage(
      req({
        replace: { Contact: 'Contact: "Doe, John" <sip:j@h>, <sip:k@h?Subject=a>;note="x, y";q=0.5' },
        add: ['Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKa, SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKb'],
      }),
      limits,
    );
    assert.deepEqual(
      msg.contacts.map((c) => c.displayName),
      ['Doe, John', null],
    );
    assert.equal(msg.vias.length, 3);
    assert.equal(msg.vias[1]!.host, '[2001:db8::1]');
    assert.equal(msg.vias[2]!.protocol, 'TCP');
  });

  it('reads IPv6 references in the Request-URI and headers', () => {
    const msg = parseMessage(
      req({ replace: { start: 'INVITE sip:bob@[2001:db8::10]:5080;transport=udp SIP/2.0' } }),
      limits,
    );
    assert.ok(msg.isRequest());
    assert.equal(msg.requestUri.host, '[2001:db8::10]');
    assert.equal(msg.requestUri.port, 5080);
  });

  it('accepts a request without Max-Forwards (RFC 2543 peers)', () => {
    const msg = parseMessage(req({ replace: { 'Max-Forwards': null } }), limits);
    assert.equal(msg.headers.get('max-forwards'), undefined);
  });

  const invalid: [string, Buffer, number, RegExp][] = [
    ['a SIP version other than 2.0', req({ replace: { start: 'INVITE sip:bob@127.0.0.1 SIP/3.0' } }), 505, /Version/],
    ['a garbled SIP version', req({ replace: { start: 'INVITE sip:bob@127.0.0.1 HTTP/1.1' } }), 400, /Bad/],
    [
      'two spaces in the request line',
      req({ replace: { start: 'INVITE  sip:bob@127.0.0.1 SIP/2.0' } }),
      400,
      /Request Line/,
    ],
    ['an unparsable Request-URI', req({ replace: { start: 'INVITE sip:bob@ SIP/2.0' } }), 400, /Request-URI/],
    ['a missing Call-ID', req({ replace: { 'Call-ID': null } }), 400, /Missing Call-ID/],
    ['a missing Via', req({ replace: { Via: null } }), 400, /Missing Via/],
    ['a missing To', req({ replace: { To: null } }), 400, /Missing To/],
    ['a missing From', req({ replace: { From: null } }), 400, /Missing From/],
    ['a missing CSeq', req({ replace: { CSeq: null } }), 400, /Missing CSeq/],
    ['an invalid CSeq', req({ replace: { CSeq: 'CSeq: one INVITE' } }), 400, /Invalid CSeq/],
    ['a CSeq method that differs from the request method', req({ replace: { CSeq: 'CSeq: 1 BYE' } }), 400, /Mismatch/],
    ['an invalid To', req({ replace: { To: 'To: "Bob <sip:bob@127.0.0.1>' } }), 400, /Invalid To/],
    ['an invalid Via', req({ replace: { Via: 'Via: SIP/2.0/UDP ;branch=1' } }), 400, /Invalid Via/],
    ['an invalid Contact', req({ replace: { Contact: 'Contact: <sip:a@b' } }), 400, /Invalid Contact/],
    ['two Call-IDs', req({ add: ['Call-ID: other'] }), 400, /Multiple Call-ID/],
    ['two To fields', req({ add: ['To: <sip:x@y>'] }), 400, /Multiple To/],
    ['Max-Forwards over 255', req({ replace: { 'Max-Forwards': 'Max-Forwards: 256' } }), 400, /Max-Forwards/],
    ['a Call-ID with spaces', req({ replace: { 'Call-ID': 'Call-ID: a b' } }), 400, /Call-ID/],
    ['a negative Content-Length', req({ cl: false, add: ['Content-Length: -1'] }), 400, /Content-Length/],
    ['two Content-Lengths', req({ add: ['Content-Length: 0'] }), 400, /Content-Length/],
    [
      'a Content-Length beyond the datagram',
      req({ cl: false, add: ['Content-Length: 10'], body: 'abc' }),
      400,
      /Content-Length/,
    ],
    ['a header line without a colon', req({ add: ['NoColonHere'] }), 400, /Bad Request/],
    ['a header name that is not a token', req({ add: ['Bad Name: x'] }), 400, /Bad Request/],
    ['a bare CR inside a header line', req({ add: ['X-Inject: a\rVia: SIP/2.0/UDP evil'] }), 400, /Bad Request/],
    ['a continuation line first', Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n folded: x\r\n\r\n'), 400, /Bad Request/],
    [
      'headers in the Request-URI',
      req({ replace: { start: 'INVITE sip:bob@h?Route=%3Csip:x%3E SIP/2.0' } }),
      400,
      /Request-URI/,
    ],
  ];
  for (const [what, data, status, reason] of invalid) {
    it(`answers ${status} to a request with ${what}, keeping what was read for the answer`, () => {
      const e = parseError(data);
      assert.equal(e.status, status, e.message);
      assert.match(e.reason, reason);
      assert.equal(e.code, 'SIP.PARSE');
      assert.ok(e.partial, 'partial request');
      assert.ok(e.partial.method.length > 0);
    });
  }

  it('answers 501 when an unknown method comes with a CSeq for another one (RFC 4475 §3.1.2.18)', () => {
    const e = parseError(req({ replace: { start: 'NEWMETHOD sip:bob@127.0.0.1 SIP/2.0' } }));
    assert.equal(e.status, 501);
  });

  it('keeps the raw headers of a request it cannot parse, so a response can be routed and matched', () => {
    const e = parseError(req({ replace: { To: 'To: "Bob <sip:bob@127.0.0.1>' } }));
    assert.equal(e.partial?.headers.get('via'), 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK74bf9');
    assert.equal(e.partial?.headers.get('to'), '"Bob <sip:bob@127.0.0.1>');
    assert.equal(e.partial?.headers.get('cseq'), '1 INVITE');
  });

  it('keeps the best-effort method of a broken request line so an ACK is never answered', () => {
    const e = parseError(req({ replace: { start: 'ACK  sip:bob@127.0.0.1 SIP/2.0', CSeq: 'CSeq: 1 ACK' } }));
    assert.equal(e.partial?.method, 'ACK');
  });

  const badResponses: [string, string][] = [
    ['a status code over 699', 'SIP/2.0 4294967301 better not break the receiver'],
    ['a two-digit status code', 'SIP/2.0 99 Odd'],
    ['a status code under 100', 'SIP/2.0 099 Odd'],
    ['a bare CR in the reason phrase', 'SIP/2.0 200 O\rK'],
    ['another version', 'SIP/3.0 200 OK'],
  ];
  for (const [what, line] of badResponses) {
    it(`rejects a response with ${what} without a partial request (it is dropped)`, () => {
      const head =
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n';
      const e = parseError(Buffer.from(`${line}\r\n${head}\r\n`));
      assert.equal(e.partial, undefined);
    });
  }

  it('rejects a response missing a mandatory header', () => {
    const e = parseError(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\n\r\n'));
    assert.equal(e.partial, undefined);
  });

  it('rejects an empty or CRLF-only datagram', () => {
    assert.throws(() => parseMessage(Buffer.alloc(0), limits), SipParseError);
    assert.throws(() => parseMessage(Buffer.from('\r\n\r\n'), limits), SipParseError);
  });

  describe('limits', () => {
    it('answers 513 to a message over maxMessageBytes, with a partial request', () => {
      const e = parseError(req({ body: 'x'.repeat(5000), replace: { CSeq: 'CSeq: 1 INVITE' } }));
      assert.equal(e.status, 513);
      assert.equal(e.reason, 'Message Too Large');
      assert.equal(e.partial?.callId, '3848276298220188511@127.0.0.1');
    });

    it('accepts a message of exactly maxMessageBytes', () => {
      const base = req({ body: '' }).length; // Content-Length: 0 (one digit; the real one has four)
      const bodyLength = limits.maxMessageBytes - base - 3;
      const data = req({ body: 'y'.repeat(bodyLength) });
      assert.equal(data.length, limits.maxMessageBytes);
      assert.equal(parseMessage(data, limits).body.length, bodyLength);
      assert.equal(parseError(req({ body: 'y'.repeat(bodyLength + 1) })).status, 513);
    });

    it('answers 400 to more header fields than maxHeaders', () => {
      const e = parseError(req({ add: Array.from({ length: 30 }, (_, i) => `X-H${i}: ${i}`) }));
      assert.equal(e.status, 400);
      assert.match(e.reason, /Too Many Header/);
      assert.ok(e.partial);
    });

    it('accepts exactly maxHeaders header fields', () => {
      const data = req({ add: Array.from({ length: limits.maxHeaders - HEAD.length }, (_, i) => `X-H${i}: ${i}`) });
      assert.equal(parseMessage(data, limits).headers.size, limits.maxHeaders);
    });

    it('answers 400 to a header line longer than maxLineBytes, and to an over-long request line', () => {
      assert.match(parseError(req({ add: [`X-Long: ${'a'.repeat(600)}`] })).reason, /Line Too Long/);
      assert.match(
        parseError(req({ replace: { start: `INVITE sip:${'b'.repeat(600)}@h SIP/2.0` } })).reason,
        /Line Too Long/,
      );
    });
  });
});
