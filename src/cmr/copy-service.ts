import { randomUUID } from 'node:crypto';
import type { Call } from '../calls/call';
import type { Logger } from '../observability/logger';
import { evaluateCopyPrivacy } from './copy-privacy';
import {
  copyIdempotencyKey,
  type CopyOutcome,
  type CopyRecord,
  type CopyTrigger,
  type Identity,
  type Money,
  type Resource,
} from './model';
import type { ChargeRequest, ChargingGateway } from './ports/charging-gateway.port';
import type { CmrStore } from './ports/cmr-store.port';
import { StoreError } from './ports/store-error';
import { isResourceValidAt } from './ringing-selection';

/** A copy asked for on a call; who asks and whose media it is come from the call, never from the request. */
export interface CopyAsk {
  readonly call: Call;
  readonly trigger: CopyTrigger;
  /** When the caller asked (epoch ms): the resource presenting then is the one copied. */
  readonly at: number;
  /** The resource the client says it means, if it names one: it must be the one that presented. */
  readonly resourceId?: string | null;
}

export interface CopyResult {
  readonly outcome: CopyOutcome;
  readonly resource: Resource | null;
  readonly price: Money | null;
  readonly chargeReference: string | null;
  /** True when this ask repeated one already decided (retransmission, second press, INFO and MESSAGE). */
  readonly duplicate: boolean;
  readonly record: CopyRecord | null;
}

/** The resource a copy would take, for the consent offer: what presents at `at` (with the grace period). */
export interface CopyOffer {
  readonly resource: Resource;
}

export interface CopyServiceOptions {
  readonly store: Pick<
    CmrStore,
    'getSubscriber' | 'getResource' | 'getLibraryEntry' | 'countLibrary' | 'recordCopy' | 'getCopyByIdempotencyKey'
  >;
  readonly charging: ChargingGateway;
  readonly clock: { now(): number };
  readonly logger: Logger;
  /** A copy asked this long after the media stopped still takes it. */
  readonly graceMs: number;
  /** Called after a copy is recorded with a portal record, so delivery can start at once. */
  readonly onRecorded?: () => void;
  /** Called with every decision (duplicates included), for metrics. */
  readonly onDecided?: (trigger: CopyTrigger, outcome: CopyOutcome) => void;
}

type Decision = { readonly outcome: CopyOutcome; readonly resource: Resource | null };

/**
 * The online-copy use case (the seed's steps 4 to 7): resolve the presenting resource, check the requester,
 * the owner's privacy, the resource and the library; charge once; then write the library entry, the copy
 * record and the portal record together. Every attempt leaves a copy record. Expected failures are values.
 */
export class CopyService {
  /** One decision in flight per idempotency key: a second press waits for the first and gets its answer. */
  private readonly inFlight = new Map<string, Promise<CopyResult>>();

  constructor(private readonly options: CopyServiceOptions) {}

  /** What a copy asked now would take, without deciding anything (the first key press of the consent dialogue). */
  offer(call: Call, at: number): CopyOffer | null {
    const presentation = call.presentingAt(at, this.options.graceMs);
    return presentation ? { resource: presentation.resource } : null;
  }

  async requestCopy(ask: CopyAsk): Promise<CopyResult> {
    const result = await this.decideCopy(ask);
    this.options.onDecided?.(ask.trigger, result.outcome);
    return result;
  }

  private async decideCopy(ask: CopyAsk): Promise<CopyResult> {
    const { caller: requester, called: owner } = ask.call.parties;
    const presentation = ask.call.presentingAt(ask.at, this.options.graceMs);
    if (!requester || !owner) return this.refused(ask, 'not-subscribed', null);
    if (!presentation) return this.refused(ask, 'nothing-presenting', null);
    const resource = presentation.resource;
    if (ask.resourceId && ask.resourceId !== resource.id) return this.refused(ask, 'resource-mismatch', resource);
    const key = copyIdempotencyKey(ask.call.id, requester, resource.id);
    const running = this.inFlight.get(key);
    if (running) return { ...(await running), duplicate: true };
    const decision = this.decide(ask, requester, owner, resource, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, decision);
    return decision;
  }

  private async decide(
    ask: CopyAsk,
    requester: Identity,
    owner: Identity,
    presented: Resource,
    key: string,
  ): Promise<CopyResult> {
    const { store } = this.options;
    try {
      const earlier = await store.getCopyByIdempotencyKey(key);
      if (earlier) return fromRecord(earlier, presented, true);
      const checked = await this.check(requester, owner, presented);
      if (checked.outcome !== 'copied' || !checked.resource) {
        return this.refused(ask, checked.outcome, checked.resource ?? presented);
      }
      return await this.chargeAndRecord(ask, requester, owner, checked.resource, key);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'STORE.UNAVAILABLE') {
        this.options.logger.error('copy failed: store unavailable', { callId: ask.call.id, error: err.message });
        return result('store-unavailable', presented, null, null, false, null);
      }
      throw err;
    }
  }

  /** Steps of validation, in the order that costs the least and tells the caller the most. */
  private async check(requester: Identity, owner: Identity, presented: Resource): Promise<Decision> {
    const { store, clock } = this.options;
    const [requesterSub, ownerSub, resource] = await Promise.all([
      store.getSubscriber(requester),
      store.getSubscriber(owner),
      store.getResource(presented.id),
    ]);
    if (!requesterSub || requesterSub.status !== 'active' || !requesterSub.cmrEnabled) {
      return { outcome: 'not-subscribed', resource };
    }
    if (!ownerSub || !resource) return { outcome: 'not-copyable', resource: resource ?? presented };
    const privacy = evaluateCopyPrivacy({ ownerPrivacy: ownerSub.privacy, requester, resourceId: resource.id });
    if (!privacy.allowed) return { outcome: 'privacy-restricted', resource };
    if (!resource.copyable) return { outcome: 'not-copyable', resource };
    if (!isResourceValidAt(resource, new Date(clock.now()))) return { outcome: 'not-valid', resource };
    if (await store.getLibraryEntry(requester, resource.id)) return { outcome: 'already-owned', resource };
    if ((await store.countLibrary(requester)) >= requesterSub.libraryCapacity) {
      return { outcome: 'library-full', resource };
    }
    return { outcome: 'copied', resource };
  }

  private async chargeAndRecord(
    ask: CopyAsk,
    requester: Identity,
    owner: Identity,
    resource: Resource,
    key: string,
  ): Promise<CopyResult> {
    const { charging, store, clock, logger } = this.options;
    const requestedAt = new Date(ask.at).toISOString();
    const charge: ChargeRequest = {
      idempotencyKey: key,
      requester,
      owner,
      resourceId: resource.id,
      title: resource.title,
      price: resource.price,
      callId: ask.call.id,
      icid: ask.call.icid,
      requestedAt,
    };
    const charged = await charging.debit(charge);
    if (charged.status === 'refused') {
      return this.refused(ask, charged.reason === 'no-credit' ? 'no-credit' : 'charging-refused', resource);
    }
    if (charged.status === 'unavailable') {
      logger.warn('copy not charged: charging unavailable', { callId: ask.call.id, detail: charged.detail });
      return this.refused(ask, 'charging-unavailable', resource);
    }
    const completedAt = new Date(clock.now()).toISOString();
    const record: CopyRecord = {
      id: randomUUID(),
      idempotencyKey: key,
      requester,
      owner,
      resourceId: resource.id,
      callId: ask.call.id,
      trigger: ask.trigger,
      outcome: 'copied',
      chargeReference: charged.reference,
      price: resource.price,
      requestedAt,
      completedAt,
    };
    try {
      const written = await store.recordCopy({
        record,
        libraryEntry: {
          owner: requester,
          resourceId: resource.id,
          acquisition: 'copy',
          acquiredAt: completedAt,
          copiedFrom: owner,
          callId: ask.call.id,
        },
        outbox: {
          id: randomUUID(),
          topic: 'copy-record',
          payload: { ...record, title: resource.title, icid: ask.call.icid },
          createdAt: completedAt,
          attempts: 0,
          nextAttemptAt: completedAt,
          deliveredAt: null,
        },
      });
      if (written.status === 'duplicate') return fromRecord(written.record, resource, true);
    } catch (err) {
      // Charged but not copied: give the money back before telling the caller.
      const refund = await charging.refund(charge, charged.reference);
      logger.error('copy charged but not recorded: refunded', {
        callId: ask.call.id,
        refund: refund.status,
        error: String(err),
      });
      const outcome: CopyOutcome =
        err instanceof StoreError && err.code === 'STORE.LIBRARY_FULL'
          ? 'library-full'
          : err instanceof StoreError && err.code === 'STORE.CONFLICT'
            ? 'already-owned'
            : 'store-unavailable';
      return result(outcome, resource, null, null, false, null);
    }
    this.options.onRecorded?.();
    logger.info('copy recorded', { callId: ask.call.id, resourceId: resource.id, charge: charged.reference });
    return result('copied', resource, resource.price, charged.reference, false, record);
  }

  /** A refused attempt is recorded too (under its own key, so it never blocks a later successful copy). */
  private async refused(ask: CopyAsk, outcome: CopyOutcome, resource: Resource | null): Promise<CopyResult> {
    const { requester, owner } = { requester: ask.call.parties.caller, owner: ask.call.parties.called };
    this.options.logger.info('copy refused', { callId: ask.call.id, outcome, resourceId: resource?.id ?? null });
    if (!requester || !owner || !resource) return result(outcome, resource, null, null, false, null);
    const now = new Date(this.options.clock.now()).toISOString();
    const record: CopyRecord = {
      id: randomUUID(),
      idempotencyKey: `${copyIdempotencyKey(ask.call.id, requester, resource.id)}#${randomUUID()}`,
      requester,
      owner,
      resourceId: resource.id,
      callId: ask.call.id,
      trigger: ask.trigger,
      outcome,
      chargeReference: null,
      price: null,
      requestedAt: new Date(ask.at).toISOString(),
      completedAt: now,
    };
    try {
      await this.options.store.recordCopy({ record, libraryEntry: null, outbox: null });
    } catch (err) {
      // The refusal stands; only its history line is missing.
      this.options.logger.warn('refused copy not recorded', { callId: ask.call.id, error: String(err) });
    }
    return result(outcome, resource, null, null, false, record);
  }
}

function result(
  outcome: CopyOutcome,
  resource: Resource | null,
  price: Money | null,
  chargeReference: string | null,
  duplicate: boolean,
  record: CopyRecord | null,
): CopyResult {
  return { outcome, resource, price, chargeReference, duplicate, record };
}

function fromRecord(record: CopyRecord, resource: Resource, duplicate: boolean): CopyResult {
  return result(record.outcome, resource, record.price, record.chargeReference, duplicate, record);
}
