import assert from 'node:assert/strict';
import { Call } from '../../../src/calls/call';
import { CopyService } from '../../../src/cmr/copy-service';
import {
  DEFAULT_PRIVACY,
  type CopyRecord,
  type LibraryEntry,
  type PrivacySettings,
  type Resource,
  type Subscriber,
} from '../../../src/cmr/model';
import type { ChargeRequest, ChargeResult, ChargingGateway } from '../../../src/cmr/ports/charging-gateway.port';
import type { CopyWrite, CopyWriteResult } from '../../../src/cmr/ports/cmr-store.port';
import { StoreError } from '../../../src/cmr/ports/store-error';
import { silentLogger } from '../../../src/observability/logger';
import { MemoryCopyJournal } from '../../support/memory-copy-journal';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const CALLER = '+15550009001';
const OWNER = '+15550009002';

const TONE: Resource = {
  id: 'tone-1',
  title: 'Summer Breeze',
  artist: 'The Tones',
  provider: null,
  mediaUri: 'file:///tones/summer.wav',
  kind: 'audio',
  durationSeconds: 30,
  copyable: true,
  price: { amountMinor: 99, currency: 'USD' },
  validFrom: null,
  validUntil: null,
};

function subscriber(identity: string, over: Partial<Subscriber> = {}): Subscriber {
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

class FakeStore {
  subscribers = new Map<string, Subscriber>([
    [CALLER, subscriber(CALLER)],
    [OWNER, subscriber(OWNER)],
  ]);
  resources = new Map<string, Resource>([[TONE.id, TONE]]);
  library: LibraryEntry[] = [];
  records: CopyRecord[] = [];
  outbox: unknown[] = [];
  failNextCopyWith: StoreError | null = null;
  readonly journal = new MemoryCopyJournal();
  readonly startCopyAttempt = this.journal.startCopyAttempt.bind(this.journal);
  readonly advanceCopyAttempt = this.journal.advanceCopyAttempt.bind(this.journal);

  async getSubscriber(id: string) {
    return this.subscribers.get(id) ?? null;
  }
  async getResource(id: string) {
    return this.resources.get(id) ?? null;
  }
  async getLibraryEntry(owner: string, resourceId: string) {
    return this.library.find((e) => e.owner === owner && e.resourceId === resourceId) ?? null;
  }
  async countLibrary(owner: string) {
    return this.library.filter((e) => e.owner === owner).length;
  }
  async getCopyByIdempotencyKey(key: string) {
    return this.records.find((r) => r.idempotencyKey === key) ?? null;
  }
  async recordCopy(write: CopyWrite): Promise<CopyWriteResult> {
    const failure = this.failNextCopyWith;
    this.failNextCopyWith = null;
    if (failure && write.libraryEntry) throw failure;
    const earlier = this.records.find((r) => r.idempotencyKey === write.record.idempotencyKey);
    if (earlier) return { status: 'duplicate', record: earlier };
    if (write.attemptKey)
      this.journal.markCopied(write.attemptKey, write.record.chargeReference, write.record.completedAt);
    this.records.push(write.record);
    if (write.libraryEntry) this.library.push(write.libraryEntry);
    if (write.outbox) this.outbox.push(write.outbox);
    return { status: 'recorded', record: write.record };
  }
}

class FakeCharging implements ChargingGateway {
  debits: ChargeRequest[] = [];
  refunds: string[] = [];
  answer: ChargeResult = { status: 'charged', reference: 'chg-1' };
  delayMs = 0;
  async debit(request: ChargeRequest): Promise<ChargeResult> {
    this.debits.push(request);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.answer;
  }
  async refund(_request: ChargeRequest, reference: string): Promise<ChargeResult> {
    this.refunds.push(reference);
    return { status: 'charged', reference: `refund-${reference}` };
  }
  async close() {}
}

function ringingCall(presentAt = T0): Call {
  const call = new Call({
    id: 'call-1@test',
    parties: { caller: CALLER, called: OWNER, callerUri: `tel:${CALLER}`, calledUri: `tel:${OWNER}` },
    icid: 'icid-1',
    createdAt: presentAt,
  });
  call.present(TONE, presentAt);
  return call;
}

describe('the online-copy use case', () => {
  let store: FakeStore;
  let charging: FakeCharging;
  let service: CopyService;
  let now: number;

  beforeEach(() => {
    store = new FakeStore();
    charging = new FakeCharging();
    now = T0 + 5000;
    service = new CopyService({
      store,
      charging,
      clock: { now: () => now },
      logger: silentLogger(),
      graceMs: 3000,
    });
  });

  it('charges the caller once and adds the presenting tone to the library, with a portal record', async () => {
    const result = await service.requestCopy({ call: ringingCall(), trigger: 'dtmf', at: now });
    assert.equal(result.outcome, 'copied');
    assert.equal(result.chargeReference, 'chg-1');
    assert.equal(charging.debits.length, 1);
    const debit = charging.debits[0]!;
    assert.equal(debit.requester, CALLER);
    assert.equal(debit.owner, OWNER);
    assert.equal(debit.icid, 'icid-1');
    assert.deepEqual(debit.price, TONE.price);
    assert.deepEqual(
      store.library.map((e) => [e.owner, e.resourceId, e.acquisition, e.copiedFrom, e.callId]),
      [[CALLER, TONE.id, 'copy', OWNER, 'call-1@test']],
    );
    assert.equal(store.outbox.length, 1);
    assert.equal(store.records[0]?.outcome, 'copied');
  });

  it('answers a repeated ask from the first decision without charging again', async () => {
    const call = ringingCall();
    await service.requestCopy({ call, trigger: 'info', at: now });
    const again = await service.requestCopy({ call, trigger: 'message', at: now + 100 });
    assert.equal(again.outcome, 'copied');
    assert.equal(again.duplicate, true);
    assert.equal(charging.debits.length, 1);
    assert.equal(store.library.length, 1);
  });

  it('charges once when two presses arrive together', async () => {
    charging.delayMs = 30;
    const call = ringingCall();
    const [a, b] = await Promise.all([
      service.requestCopy({ call, trigger: 'dtmf', at: now }),
      service.requestCopy({ call, trigger: 'dtmf', at: now + 1 }),
    ]);
    assert.equal(a.outcome, 'copied');
    assert.equal(b.outcome, 'copied');
    assert.equal([a, b].filter((r) => r.duplicate).length, 1);
    assert.equal(charging.debits.length, 1);
  });

  it('copies what presented when the key was pressed, within the grace period after it stopped', async () => {
    const call = ringingCall();
    call.answered(T0 + 4000);
    assert.equal((await service.requestCopy({ call, trigger: 'dtmf', at: T0 + 6000 })).outcome, 'copied');
  });

  it('refuses when nothing presented at that moment, recording nothing charged', async () => {
    const call = ringingCall();
    call.answered(T0 + 1000);
    const result = await service.requestCopy({ call, trigger: 'dtmf', at: T0 + 9000 });
    assert.equal(result.outcome, 'nothing-presenting');
    assert.equal(charging.debits.length, 0);
  });

  it('refuses a client that names another resource than the one presenting', async () => {
    const result = await service.requestCopy({ call: ringingCall(), trigger: 'message', at: now, resourceId: 'other' });
    assert.equal(result.outcome, 'resource-mismatch');
    assert.equal(charging.debits.length, 0);
  });

  const refusals: [string, (s: FakeStore) => void, string][] = [
    [
      'the owner lets nobody copy',
      (s) => setPrivacy(s, { copy: 'nobody', contacts: [], overrides: [] }),
      'privacy-restricted',
    ],
    [
      'the owner lets only contacts copy and the caller is not one',
      (s) => setPrivacy(s, { copy: 'contacts', contacts: ['+15550000000'], overrides: [] }),
      'privacy-restricted',
    ],
    [
      'a per-resource override forbids this tone',
      (s) => setPrivacy(s, { copy: 'everyone', contacts: [], overrides: [{ resourceId: TONE.id, copy: 'nobody' }] }),
      'privacy-restricted',
    ],
    ['the tone may not be copied', (s) => s.resources.set(TONE.id, { ...TONE, copyable: false }), 'not-copyable'],
    [
      'the tone is past its validity',
      (s) => s.resources.set(TONE.id, { ...TONE, validUntil: new Date(T0).toISOString() }),
      'not-valid',
    ],
    [
      'the caller is barred',
      (s) => s.subscribers.set(CALLER, subscriber(CALLER, { status: 'barred' })),
      'not-subscribed',
    ],
    ['the caller is not a subscriber', (s) => s.subscribers.delete(CALLER), 'not-subscribed'],
    [
      'the caller already owns the tone',
      (s) =>
        s.library.push({
          owner: CALLER,
          resourceId: TONE.id,
          acquisition: 'provisioned',
          acquiredAt: new Date(T0).toISOString(),
          copiedFrom: null,
          callId: null,
        }),
      'already-owned',
    ],
    [
      'the library is full',
      (s) => s.subscribers.set(CALLER, subscriber(CALLER, { libraryCapacity: 0 })),
      'library-full',
    ],
  ];
  for (const [when, arrange, outcome] of refusals) {
    it(`refuses with ${outcome}, charging nothing, when ${when}`, async () => {
      arrange(store);
      const result = await service.requestCopy({ call: ringingCall(), trigger: 'dtmf', at: now });
      assert.equal(result.outcome, outcome);
      assert.equal(charging.debits.length, 0);
      assert.equal(store.library.filter((e) => e.acquisition === 'copy').length, 0);
      assert.equal(store.outbox.length, 0);
    });
  }

  it('copies nothing when charging refuses for lack of credit', async () => {
    charging.answer = { status: 'refused', reason: 'no-credit', detail: 'QUOTA_LIMIT_REACHED' };
    const result = await service.requestCopy({ call: ringingCall(), trigger: 'dtmf', at: now });
    assert.equal(result.outcome, 'no-credit');
    assert.equal(store.library.length, 0);
    assert.equal(store.records[0]?.outcome, 'no-credit');
  });

  it('fails cleanly when charging cannot be reached, and a later ask may still copy', async () => {
    charging.answer = { status: 'unavailable', detail: 'ECONNREFUSED' };
    const call = ringingCall();
    assert.equal((await service.requestCopy({ call, trigger: 'dtmf', at: now })).outcome, 'charging-unavailable');
    assert.equal(store.library.length, 0);
    charging.answer = { status: 'charged', reference: 'chg-2' };
    assert.equal((await service.requestCopy({ call, trigger: 'dtmf', at: now })).outcome, 'copied');
  });

  it('refunds the charge when the copy cannot be written after it', async () => {
    store.failNextCopyWith = new StoreError('STORE.LIBRARY_FULL', 'full');
    const result = await service.requestCopy({ call: ringingCall(), trigger: 'dtmf', at: now });
    assert.equal(result.outcome, 'library-full');
    assert.deepEqual(charging.refunds, ['chg-1']);
  });

  it('offers what presents for the consent dialogue without deciding anything', async () => {
    assert.deepEqual(await service.offer(ringingCall(), now), { resource: TONE, alreadyOwned: false });
    assert.equal(charging.debits.length, 0);
  });

  it('says so instead of offering a tone the caller already owns', async () => {
    store.library.push({
      owner: CALLER,
      resourceId: TONE.id,
      acquisition: 'provisioned',
      acquiredAt: new Date(T0).toISOString(),
      copiedFrom: null,
      callId: null,
    });
    assert.deepEqual(await service.offer(ringingCall(), now), { resource: TONE, alreadyOwned: true });
  });
});

function setPrivacy(store: FakeStore, privacy: PrivacySettings): void {
  store.subscribers.set(OWNER, subscriber(OWNER, { privacy }));
}
