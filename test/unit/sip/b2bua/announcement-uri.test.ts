import assert from 'node:assert/strict';
import { announcementUri } from '../../../../src/sip/b2bua/announcement-uri';
import { parseUri } from '../../../../src/sip/message/sip-uri';

describe('announcement URI (RFC 4240)', () => {
  it('asks the media server to loop the resource until hung up', () => {
    assert.equal(
      announcementUri('sip:127.0.0.1:5070', 'file:///var/media/tones/summer.wav'),
      'sip:annc@127.0.0.1:5070;play=file:///var/media/tones/summer.wav;repeat=forever',
    );
  });

  it('keeps the transport of the media server and omits an absent port', () => {
    assert.equal(
      announcementUri('sip:ms.example.com;transport=tcp', 'http://media.example/t/1.wav'),
      'sip:annc@ms.example.com;transport=tcp;play=http://media.example/t/1.wav;repeat=forever',
    );
  });

  it('escapes what a URI parameter may not carry, so the play URL survives as one parameter', () => {
    const uri = announcementUri('sip:[::1]:5070', 'http://media.example/tones?id=7;x=1&name=été 2');
    assert.equal(
      uri,
      'sip:annc@[::1]:5070;play=http://media.example/tones%3Fid%3D7%3Bx%3D1&name%3D%C3%A9t%C3%A9%202;repeat=forever',
    );
    const parsed = parseUri(uri);
    assert.equal(parsed.host, '[::1]');
    assert.equal(parsed.params.get('repeat'), 'forever');
    assert.equal(decodeURIComponent(parsed.params.get('play') ?? ''), 'http://media.example/tones?id=7;x=1&name=été 2');
  });
});
