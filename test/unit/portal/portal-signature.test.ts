import assert from 'node:assert/strict';
import { portalSignature, verifyPortalSignature } from '../../../src/portal/portal-signature';

describe('portal record signature', () => {
  it('is sha256= and the hex HMAC-SHA256 of the body under the secret (RFC 4231 test case 2)', () => {
    assert.equal(
      portalSignature('Jefe', Buffer.from('what do ya want for nothing?')),
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('verifies only the signature of these exact bytes under this secret', () => {
    const body = Buffer.from('{"id":"c1","outcome":"copied"}');
    const header = portalSignature('s3cret', body);
    assert.equal(verifyPortalSignature('s3cret', body, header), true);
    assert.equal(verifyPortalSignature('s3cret', Buffer.from('{"id":"c1", "outcome":"copied"}'), header), false);
    assert.equal(verifyPortalSignature('other', body, header), false);
    assert.equal(verifyPortalSignature('s3cret', body, header.toUpperCase()), false);
    assert.equal(verifyPortalSignature('s3cret', body, undefined), false);
    assert.equal(verifyPortalSignature('s3cret', body, 'sha256=00'), false);
  });
});
