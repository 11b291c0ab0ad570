import assert from 'node:assert/strict';
import { mediaTarget, sameMediaTarget } from '../../../../src/sip/sdp/media-target';

const sdp = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n');

const OFFER = sdp([
  'v=0',
  'o=a 1 1 IN IP4 10.0.0.1',
  's=-',
  'c=IN IP4 10.0.0.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0 101',
]);

describe('SDP media target', () => {
  it('is the connection lines and the media kinds and ports', () => {
    assert.equal(mediaTarget(OFFER), 'c=IN IP4 10.0.0.1|m=audio 4000');
  });

  it('ignores origin, codec list and attributes', () => {
    const answer = sdp([
      'v=0',
      'o=a 1 2 IN IP4 10.0.0.1',
      's=x',
      'c=IN  IP4 10.0.0.1',
      't=0 0',
      'm=audio 4000 RTP/AVP 0',
      'a=sendrecv',
    ]);
    assert.ok(sameMediaTarget(OFFER, answer));
  });

  it('changes with the address or the port', () => {
    const moved = sdp(['v=0', 'c=IN IP4 10.0.0.2', 'm=audio 4000 RTP/AVP 0']);
    const port = sdp(['v=0', 'c=IN IP4 10.0.0.1', 'm=audio 4002 RTP/AVP 0']);
    assert.equal(sameMediaTarget(OFFER, moved), false);
    assert.equal(sameMediaTarget(OFFER, port), false);
  });
});
