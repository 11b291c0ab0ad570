import assert from 'node:assert/strict';
import { effectiveCopyPermission, evaluateCopyPrivacy } from '../../../src/cmr/copy-privacy';
import type { PrivacySettings } from '../../../src/cmr/model';

const contact = '+15550001002';
const stranger = '+15550009999';

function decide(privacy: PrivacySettings, requester: string, resourceId = 'tone') {
  const d = evaluateCopyPrivacy({ ownerPrivacy: privacy, requester, resourceId });
  return d.allowed ? 'allowed' : d.reason;
}

describe('copy privacy', () => {
  it('lets everyone copy when the owner allows everyone', () => {
    const p: PrivacySettings = { copy: 'everyone', contacts: [], overrides: [] };
    assert.equal(decide(p, stranger), 'allowed');
  });

  it('lets only listed contacts copy when the owner allows contacts', () => {
    const p: PrivacySettings = { copy: 'contacts', contacts: [contact], overrides: [] };
    assert.equal(decide(p, contact), 'allowed');
    assert.equal(decide(p, stranger), 'not-a-contact');
  });

  it('lets nobody copy, contacts included, when the owner allows nobody', () => {
    const p: PrivacySettings = { copy: 'nobody', contacts: [contact], overrides: [] };
    assert.equal(decide(p, contact), 'copy-forbidden');
  });

  it('applies a per-resource override instead of the default, for that resource only', () => {
    const p: PrivacySettings = {
      copy: 'everyone',
      contacts: [contact],
      overrides: [
        { resourceId: 'private', copy: 'nobody' },
        { resourceId: 'family', copy: 'contacts' },
      ],
    };
    assert.equal(decide(p, stranger, 'private'), 'copy-forbidden');
    assert.equal(decide(p, stranger, 'family'), 'not-a-contact');
    assert.equal(decide(p, contact, 'family'), 'allowed');
    assert.equal(decide(p, stranger, 'other'), 'allowed');
    assert.equal(effectiveCopyPermission(p, 'family'), 'contacts');
  });

  it('lets an override open up a resource the default keeps closed', () => {
    const p: PrivacySettings = { copy: 'nobody', contacts: [], overrides: [{ resourceId: 'promo', copy: 'everyone' }] };
    assert.equal(decide(p, stranger, 'promo'), 'allowed');
    assert.equal(decide(p, stranger, 'tone'), 'copy-forbidden');
  });
});
