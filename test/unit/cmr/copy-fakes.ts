import { Call } from '../../../src/calls/call';
import {
  DEFAULT_PRIVACY,
  type CopyRecord,
  type LibraryEntry,
  type Resource,
  type Subscriber,
} from '../../../src/cmr/model';
import type { ChargeRequest, ChargeResult, ChargingGateway } from '../../../src/cmr/ports/charging-gateway.port';
import type { CopyWrite, CopyWriteResult } from '../../../src/cmr/ports/cmr-store.port';
import { StoreError } from '../../../src/cmr/ports/store-error';
import { MemoryCopyJournal } from '../../support/memory-copy-journal';

/** Fakes for the copy use case and its recovery: a store with a journal and a charging system with a ledger. */

export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
export const CALLER = '+15550009001';
export const OWNER = '+15550009002';

export const TONE: Resource = {
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

export function subscriber(identity: string, over: Partial<Subscriber> = {}): Subscriber {
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

export function ringingCall(presentAt = T0, id = 'call-1@test'): Call {
  const call = new Call({
    id,
    parties: { caller: CALLER, called: OWNER, callerUri: `tel:${CALLER}`, calledUri: `tel:${OWNER}` },
    icid: 'icid-1',
    createdAt: presentAt,
  });
  call.present(TONE, presentAt);
  return call;
}

/** The store as the copy use case and recovery see it, in memory, with the SQL stores' copy semantics. */
export class FakeCopyStore extends MemoryCopyJournal {
  subscribers = new Map<string, Subscriber>([
    [CALLER, subscriber(CALLER)],
    [OWNER, subscriber(OWNER)],
  ]);
  resources = new Map<string, Resource>([[TONE.id, TONE]]);
  library: LibraryEntry[] = [];
  records: CopyRecord[] = [];
  outbox: unknown[] = [];
  /** The next copy write with a library entry fails with this. */
  failNextCopyWith: StoreError | null = null;

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
    if (earlier) {
      if (write.attemptKey) this.markCopied(write.attemptKey, earlier.chargeReference, earlier.completedAt);
      return { status: 'duplicate', record: earlier };
    }
    const entry = write.libraryEntry;
    if (entry) {
      if (!this.subscribers.has(entry.owner)) throw new StoreError('STORE.NOT_FOUND', 'no such subscriber');
      if (await this.getLibraryEntry(entry.owner, entry.resourceId)) throw new StoreError('STORE.CONFLICT', 'owned');
      const capacity = this.subscribers.get(entry.owner)!.libraryCapacity;
      if ((await this.countLibrary(entry.owner)) >= capacity) throw new StoreError('STORE.LIBRARY_FULL', 'full');
      this.library.push(entry);
    }
    this.records.push(write.record);
    if (write.outbox) this.outbox.push(write.outbox);
    if (write.attemptKey) this.markCopied(write.attemptKey, write.record.chargeReference, write.record.completedAt);
    return { status: 'recorded', record: write.record };
  }
}

/**
 * A charging system that keeps a ledger and, like a CHF or an OCS, answers a key it has seen with its
 * first answer. `down` makes it unreachable; `loseAnswers` debits but answers unavailable (a lost answer).
 */
export class LedgerCharging implements ChargingGateway {
  readonly debits: ChargeRequest[] = [];
  readonly refunds: { key: string; reference: string }[] = [];
  readonly ledger: { kind: 'debit' | 'refund'; key: string; reference: string }[] = [];
  down = false;
  refundDown = false;
  loseAnswers = 0;
  refuseWith: ChargeResult | null = null;
  private readonly answers = new Map<string, ChargeResult>();
  private seq = 0;

  async debit(request: ChargeRequest): Promise<ChargeResult> {
    this.debits.push(request);
    if (this.down) return { status: 'unavailable', detail: 'ECONNREFUSED', neverSent: true };
    let answer = this.answers.get(request.idempotencyKey);
    if (!answer) {
      answer = this.refuseWith ?? { status: 'charged', reference: `chg-${++this.seq}` };
      this.answers.set(request.idempotencyKey, answer);
      if (answer.status === 'charged') {
        this.ledger.push({ kind: 'debit', key: request.idempotencyKey, reference: answer.reference });
      }
    }
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return { status: 'unavailable', detail: 'timeout' };
    }
    return answer;
  }

  async refund(request: ChargeRequest, reference: string): Promise<ChargeResult> {
    this.refunds.push({ key: request.idempotencyKey, reference });
    if (this.down || this.refundDown) return { status: 'unavailable', detail: 'ECONNREFUSED' };
    if (!this.ledger.some((e) => e.kind === 'refund' && e.reference === reference)) {
      this.ledger.push({ kind: 'refund', key: request.idempotencyKey, reference });
    }
    return { status: 'charged', reference };
  }

  async close(): Promise<void> {}

  /** Debits minus refunds. */
  get net(): number {
    return this.ledger.filter((e) => e.kind === 'debit').length - this.ledger.filter((e) => e.kind === 'refund').length;
  }
}
