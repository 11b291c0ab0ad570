import assert from 'node:assert/strict';
import { isSameSentBy, validateRequest, type ValidationPolicy } from '../../../../src/sip/ua/request-validation';
import { basicRequest } from '../../../support/sip-text';

function withMaxForwards<T extends { headers: { set(n: string, v: string): unknown } }>(r: T, value: string): T {
  r.headers.set('Max-Forwards', value);
  return r;
}

const policy: ValidationPolicy = {
  allowedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'INFO'],
  forwardedMethods: new Set(['INVITE']),
  supportedExtensions: new Set(['timer']),
  acceptedBodies: (method) => (method === 'MESSAGE' ? ['text/plain'] : method === 'INVITE' ? ['application/sdp'] : []),
  answerBodies: (method) => (method === 'INVITE' ? ['application/sdp'] : []),
  isOwnVia: (sentBy) => sentBy.host === '127.0.0.1' && sentBy.port === 5060,
};

describe('request validation (RFC 3261 §8.2)', () => {
  it('accepts a plain OPTIONS', () => {
    assert.equal(validateRequest(basicRequest('OPTIONS'), policy), null);
  });

  it('answers 405 with Allow to a known method this server does not allow', () => {
    const r = validateRequest(basicRequest('REGISTER'), policy);
    assert.equal(r?.status, 405);
    assert.deepEqual(r?.headers, [['Allow', policy.allowedMethods.join(', ')]]);
  });

  it('answers 501 to a method it does not know at all', () => {
    assert.equal(validateRequest(basicRequest('FROBNICATE'), policy)?.status, 501);
  });

  it('answers 416 to a Request-URI scheme it cannot handle', () => {
    assert.equal(validateRequest(basicRequest('OPTIONS', [], '', 'mailto:bob@example.com'), policy)?.status, 416);
  });

  it('answers 420 naming the unsupported extensions in Unsupported', () => {
    const r = validateRequest(basicRequest('OPTIONS', ['Require: timer, foo, bar']), policy);
    assert.equal(r?.status, 420);
    assert.deepEqual(r?.headers, [['Unsupported', 'foo, bar']]);
  });

  it('ignores Require on ACK and CANCEL', () => {
    assert.equal(validateRequest(basicRequest('CANCEL', ['Require: foo']), policy), null);
  });

  it('answers 415 with Accept to a body type the method does not take', () => {
    const r = validateRequest(basicRequest('MESSAGE', ['Content-Type: application/x-unknown'], 'hi'), policy);
    assert.equal(r?.status, 415);
    assert.deepEqual(r?.headers, [['Accept', 'text/plain']]);
  });

  it('answers 415 to a body with no Content-Type', () => {
    assert.equal(validateRequest(basicRequest('MESSAGE', [], 'hi'), policy)?.status, 415);
  });

  it('answers 415 to a content coding it does not implement', () => {
    const r = validateRequest(
      basicRequest('MESSAGE', ['Content-Type: text/plain', 'Content-Encoding: gzip'], 'x'),
      policy,
    );
    assert.equal(r?.status, 415);
  });

  it('accepts a body type the method takes, ignoring media type parameters and case', () => {
    assert.equal(
      validateRequest(basicRequest('MESSAGE', ['Content-Type: Text/Plain; charset=UTF-8'], 'hé'), policy),
      null,
    );
  });

  it('answers 406 to an INVITE whose Accept leaves out SDP (RFC 4475 §3.3.15)', () => {
    const r = validateRequest(basicRequest('INVITE', ['Accept: text/nobodyKnowsThis']), policy);
    assert.equal(r?.status, 406);
  });

  it('takes an INVITE whose Accept names SDP or a wildcard', () => {
    assert.equal(validateRequest(basicRequest('INVITE', ['Accept: application/sdp']), policy), null);
    assert.equal(validateRequest(basicRequest('INVITE', ['Accept: text/plain, application/*']), policy), null);
  });

  it('answers 483 to an INVITE it would forward with Max-Forwards 0', () => {
    assert.equal(validateRequest(withMaxForwards(basicRequest('INVITE'), '0'), policy)?.status, 483);
  });

  it('processes an OPTIONS with Max-Forwards 0 addressed to it (RFC 4475 §3.3.11)', () => {
    const r = basicRequest('OPTIONS');
    r.headers.set('Max-Forwards', '0');
    assert.equal(validateRequest(r, policy), null);
  });

  it('answers 400 to a Max-Forwards that is not a number', () => {
    const r = basicRequest('OPTIONS');
    r.headers.set('Max-Forwards', 'many');
    assert.equal(validateRequest(r, policy)?.status, 400);
  });

  it('answers 482 when its own Via comes back in a request (a loop through this server)', () => {
    const r = basicRequest('INVITE', ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKmine']);
    assert.equal(validateRequest(r, policy)?.status, 482);
  });

  it('knows its own sent-by whatever the case of host and transport, with 5060 for no port (RFC 3261 §20.42)', () => {
    const ours = { protocol: 'UDP', host: 'as.example.com', port: 5060 };
    assert.ok(isSameSentBy(ours, { protocol: 'UDP', host: 'AS.Example.COM', port: 5060 }));
    assert.ok(isSameSentBy(ours, { protocol: 'udp', host: 'as.example.com', port: null }));
    assert.ok(!isSameSentBy(ours, { protocol: 'TCP', host: 'as.example.com', port: 5060 }), 'another transport');
    assert.ok(!isSameSentBy(ours, { protocol: 'UDP', host: 'as.example.com', port: 5062 }), 'another port');
    assert.ok(!isSameSentBy(ours, { protocol: 'UDP', host: 'as.example.org', port: 5060 }), 'another host');
  });
});
