/** Whether a caller may copy a subscriber's ringing resource, from the owner's privacy settings. */
import type { CopyPermission, Identity, PrivacySettings, ResourceId } from './model';

export type CopyPrivacyDecision =
  | { readonly allowed: true; readonly permission: CopyPermission }
  | {
      readonly allowed: false;
      readonly permission: CopyPermission;
      readonly reason: 'copy-forbidden' | 'not-a-contact';
    };

/** The permission that governs one resource: its override if there is one, else the owner's default. */
export function effectiveCopyPermission(privacy: PrivacySettings, resourceId: ResourceId): CopyPermission {
  return privacy.overrides.find((o) => o.resourceId === resourceId)?.copy ?? privacy.copy;
}

/** Decides for `requester` wanting a copy of the owner's `resourceId`. */
export function evaluateCopyPrivacy(options: {
  readonly ownerPrivacy: PrivacySettings;
  readonly requester: Identity;
  readonly resourceId: ResourceId;
}): CopyPrivacyDecision {
  const permission = effectiveCopyPermission(options.ownerPrivacy, options.resourceId);
  switch (permission) {
    case 'everyone':
      return { allowed: true, permission };
    case 'contacts':
      return options.ownerPrivacy.contacts.includes(options.requester)
        ? { allowed: true, permission }
        : { allowed: false, permission, reason: 'not-a-contact' };
    case 'nobody':
      return { allowed: false, permission, reason: 'copy-forbidden' };
  }
}
