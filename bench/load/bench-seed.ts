/** The served (called) CMR subscriber every bench call goes to: the Request-URI user. */
export const BENCH_CALLED = '+15559000000';
/** The caller in the bench scenarios' From. */
export const BENCH_CALLER = '+15558000001';

/**
 * The store content of a bench run (a seed file, same documents as the provisioning API): the called
 * party with CMR on, copies allowed to everyone, and a sequential default playlist of a few tones,
 * so every call gets CMR ringing and a copy request always finds something presenting.
 */
export function benchSeed(): Record<string, unknown> {
  const resources = ['a', 'b', 'c', 'd'].map((id) => ({
    id: `bench-tone-${id}`,
    title: `Bench Tone ${id.toUpperCase()}`,
    artist: 'Load Bench',
    mediaUri: `file:///var/media/tones/bench-${id}.wav`,
    kind: 'audio',
    durationSeconds: 30,
    copyable: true,
    price: { amountMinor: 99, currency: 'USD' },
  }));
  return {
    resources,
    subscribers: [
      {
        identity: BENCH_CALLED,
        displayName: 'Bench Callee',
        timeZone: 'UTC',
        libraryCapacity: 10,
        privacy: { copy: 'everyone' },
      },
      { identity: BENCH_CALLER, displayName: 'Bench Caller', timeZone: 'UTC', libraryCapacity: 1000 },
    ],
    ringingRules: [
      {
        subscriber: BENCH_CALLED,
        rules: [],
        defaultPlaylist: { order: 'sequential', resourceIds: resources.map((r) => r.id) },
      },
    ],
  };
}
