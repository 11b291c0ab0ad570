import assert from 'node:assert/strict';
import { bearerChallenge, checkBearer } from '../../../src/api/bearer-auth';

describe('checkBearer', () => {
  it('accepts the configured token', () => {
    assert.equal(checkBearer('Bearer s3cret-token', 's3cret-token'), 'ok');
  });

  it('accepts the scheme name in any case', () => {
    assert.equal(checkBearer('bearer s3cret', 's3cret'), 'ok');
  });

  it('says missing when there is no header or an empty one', () => {
    assert.equal(checkBearer(undefined, 't'), 'missing');
    assert.equal(checkBearer('  ', 't'), 'missing');
  });

  it('says invalid for a wrong token, a prefix of the token, or a longer token', () => {
    assert.equal(checkBearer('Bearer wrong', 'secret'), 'invalid');
    assert.equal(checkBearer('Bearer secre', 'secret'), 'invalid');
    assert.equal(checkBearer('Bearer secret2', 'secret'), 'invalid');
  });

  it('says invalid for another scheme or a malformed header', () => {
    assert.equal(checkBearer('Basic c2VjcmV0', 'c2VjcmV0'), 'invalid');
    assert.equal(checkBearer('Bearer', 'secret'), 'invalid');
    assert.equal(checkBearer('Bearer a b', 'a'), 'invalid');
  });

  it('challenges with the realm and, for a bad token, the invalid_token error', () => {
    assert.equal(bearerChallenge('missing'), 'Bearer realm="cmr"');
    assert.match(bearerChallenge('invalid'), /error="invalid_token"/);
  });
});
