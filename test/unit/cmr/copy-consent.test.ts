import assert from 'node:assert/strict';
import { CopyConsent } from '../../../src/cmr/copy-consent';
import type { Resource } from '../../../src/cmr/model';

const TONE = { id: 'tone-1', title: 'Summer Breeze' } as Resource;

describe('consent before money', () => {
  it('confirms an offer answered with the confirmation key in time', () => {
    const consent = new CopyConsent({ timeoutMs: 10_000 });
    consent.offer('c1', TONE, 1000);
    assert.equal(consent.hasOffer('c1', 5000), true);
    assert.deepEqual(consent.answer('c1', true, 5000), { kind: 'confirmed', resource: TONE, offeredAt: 1000 });
    assert.deepEqual(consent.answer('c1', true, 5001), { kind: 'no-offer' });
  });

  it('cancels an offer answered with any other key', () => {
    const consent = new CopyConsent({ timeoutMs: 10_000 });
    consent.offer('c1', TONE, 1000);
    assert.deepEqual(consent.answer('c1', false, 2000), { kind: 'cancelled', resource: TONE });
  });

  it('lets silence withdraw the offer: a late confirmation confirms nothing', () => {
    const consent = new CopyConsent({ timeoutMs: 10_000 });
    consent.offer('c1', TONE, 1000);
    assert.equal(consent.hasOffer('c1', 11_001), false);
    assert.deepEqual(consent.answer('c1', true, 11_001), { kind: 'no-offer' });
  });

  it('lapses only the offer it was asked about, and only once', () => {
    const consent = new CopyConsent({ timeoutMs: 10_000 });
    consent.offer('c1', TONE, 1000);
    assert.equal(consent.lapse('c1', 999), null, 'an older offer');
    assert.equal(consent.lapse('c1', 1000), TONE);
    assert.equal(consent.lapse('c1', 1000), null, 'already withdrawn');
    assert.equal(consent.hasOffer('c1', 1001), false);
    consent.offer('c2', TONE, 1000);
    consent.answer('c2', false, 2000);
    assert.equal(consent.lapse('c2', 1000), null, 'answered offers do not lapse');
  });

  it('forgets the offer of an ended call', () => {
    const consent = new CopyConsent({ timeoutMs: 10_000 });
    consent.offer('c1', TONE, 1000);
    consent.forget('c1');
    assert.equal(consent.hasOffer('c1', 1001), false);
  });
});
