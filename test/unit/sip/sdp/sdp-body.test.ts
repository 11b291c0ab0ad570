import assert from 'node:assert/strict';
import { sdpOf } from '../../../../src/sip/sdp/sdp-body';
import { withOrigin } from '../../../../src/sip/sdp/sdp-origin';

const SDP = 'v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

describe('SDP bodies', () => {
  it('takes an application/sdp body as it is', () => {
    assert.equal(sdpOf('application/sdp', Buffer.from(SDP))?.toString(), SDP);
  });

  it('finds the SDP part of a multipart/mixed body', () => {
    const body = [
      '--b1',
      'Content-Type: application/isup; version=itu-t92+',
      '',
      'binary-ish',
      '--b1',
      'Content-Type: application/sdp',
      '',
      SDP,
      '--b1--',
      '',
    ].join('\r\n');
    assert.equal(sdpOf('multipart/mixed; boundary="b1"', Buffer.from(body))?.toString(), SDP);
  });

  it('finds nothing in other bodies or a multipart body without SDP', () => {
    assert.equal(sdpOf('text/plain', Buffer.from('hi')), null);
    assert.equal(sdpOf(undefined, Buffer.from(SDP)), null);
    assert.equal(
      sdpOf('multipart/mixed; boundary=x', Buffer.from('--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--')),
      null,
    );
  });

  it('rewrites the origin line with our session and version, keeping the rest', () => {
    const out = withOrigin(
      Buffer.from(SDP),
      { username: 'cmr-as', sessionId: '42', address: '127.0.0.1' },
      3,
    ).toString();
    assert.match(out, /^o=cmr-as 42 3 IN IP4 127\.0\.0\.1\r$/m);
    assert.equal(out.replace(/^o=.*$/m, ''), SDP.replace(/^o=.*$/m, ''));
  });
});
