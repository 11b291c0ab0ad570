import assert from 'node:assert/strict';
import { copyHeaders, IN_DIALOG_POLICY, INVITE_POLICY, RESPONSE_POLICY } from '../../../../src/sip/b2bua/header-policy';
import { SipHeaders } from '../../../../src/sip/message/sip-headers';

function headers(lines: [string, string][]): SipHeaders {
  const h = new SipHeaders();
  for (const [n, v] of lines) h.append(n, v);
  return h;
}

function names(h: SipHeaders): string[] {
  return h.entries().map((f) => f.key);
}

const A_LEG_INVITE = headers([
  ['Via', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1'],
  ['Route', '<sip:as.example.com;lr>'],
  ['Record-Route', '<sip:scscf.example.com;lr>'],
  ['Max-Forwards', '70'],
  ['From', '<sip:alice@example.com>;tag=1'],
  ['To', '<sip:bob@example.com>'],
  ['Call-ID', 'abc'],
  ['CSeq', '1 INVITE'],
  ['Contact', '<sip:alice@10.0.0.1>'],
  ['Allow', 'INVITE, ACK, UPDATE'],
  ['Supported', 'timer'],
  ['Session-Expires', '1800'],
  ['Content-Type', 'application/sdp'],
  ['Content-Length', '100'],
  ['P-Asserted-Identity', '<tel:+15550002001>'],
  ['P-Charging-Vector', 'icid-value=1'],
  ['P-Served-User', '<sip:bob@example.com>'],
  ['Authorization', 'Digest x'],
  ['Proxy-Authorization', 'Digest y'],
  ['Subject', 'hello'],
  ['X-Custom', 'one'],
  ['X-Custom', 'two'],
]);

describe('header policy', () => {
  it('carries to the B-leg identities, charging data and unknown headers, in order, but no credentials nor P-Served-User', () => {
    const out = new SipHeaders();
    copyHeaders(A_LEG_INVITE, out, INVITE_POLICY);
    assert.deepEqual(names(out), ['p-asserted-identity', 'p-charging-vector', 'subject', 'x-custom', 'x-custom']);
    assert.deepEqual(out.getAll('x-custom'), ['one', 'two']);
  });

  it('never copies what each leg owns (Via, Route, Contact, CSeq, Content-*, Allow, Supported, timers), even under "all"', () => {
    const out = new SipHeaders();
    copyHeaders(A_LEG_INVITE, out, ['all']);
    for (const owned of ['via', 'route', 'record-route', 'max-forwards', 'from', 'to', 'call-id', 'cseq', 'contact']) {
      assert.ok(!out.has(owned), owned);
    }
    for (const owned of ['allow', 'supported', 'session-expires', 'content-type', 'content-length']) {
      assert.ok(!out.has(owned), owned);
    }
    assert.ok(out.has('authorization'), '"all" alone passes the rest');
  });

  it('passes only the listed headers without "all", whatever their case or compact form', () => {
    const out = new SipHeaders();
    copyHeaders(
      headers([
        ['s', 'compact subject'],
        ['Warning', '399 x "y"'],
        ['Reason', 'Q.850;cause=17'],
      ]),
      out,
      ['REASON', 'subject'],
    );
    assert.deepEqual(names(out), ['subject', 'reason']);
  });

  it('lets an exclusion win over an inclusion', () => {
    const out = new SipHeaders();
    copyHeaders(headers([['Reason', 'SIP;cause=486']]), out, ['reason', '-reason']);
    assert.equal(out.size, 0);
  });

  it('relays in-dialog requests with their own headers but without credentials', () => {
    const out = new SipHeaders();
    copyHeaders(
      headers([
        ['Authorization', 'x'],
        ['Info-Package', 'dtmf'],
        ['X-Key', '1'],
      ]),
      out,
      IN_DIALOG_POLICY,
    );
    assert.deepEqual(names(out), ['x-key']);
  });

  it('returns failure and provisional details to the caller: Reason, Warning, Retry-After, P-Asserted-Identity, Error-Info', () => {
    const out = new SipHeaders();
    copyHeaders(
      headers([
        ['Reason', 'SIP;cause=486'],
        ['Retry-After', '30'],
        ['Contact', '<sip:b@x>'],
        ['X-Internal', 'secret'],
        ['Error-Info', '<http://e.example/busy.wav>'],
      ]),
      out,
      RESPONSE_POLICY,
    );
    assert.deepEqual(names(out), ['reason', 'retry-after', 'error-info']);
  });
});
