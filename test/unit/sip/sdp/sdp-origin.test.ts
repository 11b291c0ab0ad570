import assert from 'node:assert/strict';
import { localOrigin, withOrigin } from '../../../../src/sip/sdp/sdp-origin';

const SDP =
  'v=0\r\no=- 99 7 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\no=not-a-second-origin\r\n';

describe('SDP origin', () => {
  it('puts our origin and version on the first o= line only, the rest untouched', () => {
    const out = withOrigin(
      Buffer.from(SDP),
      { username: 'cmr-as', sessionId: '42', address: '127.0.0.1' },
      2,
    ).toString();
    assert.equal(out, SDP.replace('o=- 99 7 IN IP4 10.0.0.1', 'o=cmr-as 42 2 IN IP4 127.0.0.1'));
  });

  it('raises the version the caller sees by one per new body of the same session', () => {
    const origin = { username: 'cmr-as', sessionId: '42', address: '127.0.0.1' };
    const versions = [1, 2].map(
      (v) => /^o=\S+ \d+ (\d+) /m.exec(withOrigin(Buffer.from(SDP), origin, v).toString())?.[1],
    );
    assert.deepEqual(versions, ['1', '2']);
  });

  it("gives the body a buffer of its own, not a slice of Node's shared pool that a kept body would pin", () => {
    const out = withOrigin(Buffer.from(SDP), { username: 'cmr-as', sessionId: '42', address: '127.0.0.1' }, 1);
    assert.equal(out.buffer.byteLength, out.length);
    assert.equal(out.byteOffset, 0);
  });

  it('writes an IPv6 address as IP6 and without the brackets of a SIP URI', () => {
    const out = withOrigin(Buffer.from(SDP), { username: 'cmr-as', sessionId: '1', address: '[::1]' }, 1).toString();
    assert.match(out, /^o=cmr-as 1 1 IN IP6 ::1\r$/m);
  });

  it('leaves a body without an o= line as it is', () => {
    const body = 'v=0\r\ns=-\r\n';
    assert.equal(
      withOrigin(Buffer.from(body), { username: 'a', sessionId: '1', address: '127.0.0.1' }, 1).toString(),
      body,
    );
  });

  it('takes our address from the Contact we send, IPv4 or IPv6, and the session id from the start in seconds', () => {
    const at = Date.UTC(2026, 0, 1, 0, 0, 5, 900);
    assert.deepEqual(localOrigin('<sip:127.0.0.1:5060>', at), {
      username: 'cmr-as',
      sessionId: String(Math.floor(at / 1000)),
      address: '127.0.0.1',
    });
    assert.equal(localOrigin('<sip:[::1]:5060;transport=tcp>', at).address, '[::1]');
    const sdp = withOrigin(Buffer.from(SDP), localOrigin('<sip:[2001:db8::5]:5070>', at), 1).toString();
    assert.match(sdp, /^o=cmr-as \d+ 1 IN IP6 2001:db8::5\r$/m);
  });
});
