import type { IsoInstant, OutboxMessage } from '../../../src/cmr/model';
import { StoreError } from '../../../src/cmr/ports/store-error';
import type { OutboxStore } from '../../../src/portal/portal-feed';

/** The outbox part of the store in memory, with the SQL stores' semantics (insertion order, string instants). */
export class MemoryOutbox implements OutboxStore {
  readonly reschedules: { id: string; at: number; nextAttemptAt: IsoInstant }[] = [];
  /** Dead letters by id, with the last error. */
  readonly dead = new Map<string, string>();
  /** Set to make the next `listDueOutbox` calls fail, as an unreachable database would. */
  failReads = 0;
  private readonly messages: OutboxMessage[] = [];

  constructor(private readonly now: () => number) {}

  add(id: string, requester: string | null, over: Partial<OutboxMessage> = {}): OutboxMessage {
    const at = new Date(this.now()).toISOString();
    const message: OutboxMessage = {
      id,
      topic: 'copy-record',
      payload: requester === null ? { note: 'no requester' } : { copyId: `copy-${id}`, requester },
      createdAt: at,
      attempts: 0,
      nextAttemptAt: at,
      deliveredAt: null,
      ...over,
    };
    this.messages.push(message);
    return message;
  }

  get(id: string): OutboxMessage {
    const message = this.messages.find((m) => m.id === id);
    if (!message) throw new Error(`no message ${id}`);
    return message;
  }

  async listDueOutbox(now: IsoInstant, limit: number): Promise<readonly OutboxMessage[]> {
    if (this.failReads > 0) {
      this.failReads--;
      throw new StoreError('STORE.UNAVAILABLE', 'database unreachable');
    }
    return this.messages
      .filter((m) => m.deliveredAt === null && !this.dead.has(m.id) && m.nextAttemptAt <= now)
      .slice(0, limit);
  }

  async markOutboxDelivered(id: string, at: IsoInstant): Promise<void> {
    this.update(id, (m) => ({ ...m, deliveredAt: at }));
  }

  async rescheduleOutbox(id: string, nextAttemptAt: IsoInstant): Promise<void> {
    this.reschedules.push({ id, at: this.now(), nextAttemptAt });
    this.update(id, (m) => ({ ...m, attempts: m.attempts + 1, nextAttemptAt }));
  }

  async markOutboxDead(id: string, _at: IsoInstant, lastError: string): Promise<void> {
    this.update(id, (m) => ({ ...m, attempts: m.attempts + 1 }));
    this.dead.set(id, lastError);
  }

  private update(id: string, change: (m: OutboxMessage) => OutboxMessage): void {
    const i = this.messages.findIndex((m) => m.id === id);
    if (i < 0) throw new StoreError('STORE.NOT_FOUND', 'no such outbox message');
    this.messages[i] = change(this.messages[i]!);
  }
}
