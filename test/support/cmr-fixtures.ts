import { DEFAULT_PRIVACY, type Resource, type Subscriber } from '../../src/cmr/model';

/** Test data builders shared by the store, API, call and SIPp tests: sensible defaults, overridable. */
export function aSubscriber(identity: string, over: Partial<Subscriber> = {}): Subscriber {
  return {
    identity,
    displayName: null,
    status: 'active',
    cmrEnabled: true,
    libraryCapacity: 10,
    timeZone: 'UTC',
    privacy: DEFAULT_PRIVACY,
    ...over,
  };
}

export function aResource(id: string, over: Partial<Resource> = {}): Resource {
  return {
    id,
    title: `Title ${id}`,
    artist: 'Artist',
    provider: null,
    mediaUri: `file:///var/media/tones/${id}.wav`,
    kind: 'audio',
    durationSeconds: 30,
    copyable: true,
    price: { amountMinor: 199, currency: 'EUR' },
    validFrom: null,
    validUntil: null,
    ...over,
  };
}
