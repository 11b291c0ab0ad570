import type { Identity } from './model';
import type { CmrStore } from './ports/cmr-store.port';
import { seededRandom, selectForCall, type Selection } from './ringing-selection';

/** How many called subscribers' sequential-playlist positions are remembered before the oldest are dropped. */
const MAX_SEQUENCES = 100_000;

/**
 * Answers the B2BUA's question "what does this caller hear while the called party rings?":
 * reads the called subscriber's context from the store and applies the pure selection rules.
 */
export class RingingMediaService {
  /** Per called subscriber, how many CMR calls have started: sequential playlists rotate by it. */
  private readonly sequences = new Map<Identity, number>();

  constructor(private readonly store: Pick<CmrStore, 'loadSelectionContext'>) {}

  async select(request: {
    called: Identity;
    caller: Identity | null;
    callId: string;
    at: Date;
  }): Promise<Selection | null> {
    const context = await this.store.loadSelectionContext(request.called);
    if (!context) return null;
    const sequence = this.sequences.get(request.called) ?? 0;
    const selection = selectForCall(context, request.caller, request.at, {
      sequence,
      random: seededRandom(request.callId),
    });
    if (selection) this.advance(request.called, sequence);
    return selection;
  }

  private advance(called: Identity, sequence: number): void {
    this.sequences.delete(called);
    if (this.sequences.size >= MAX_SEQUENCES) {
      const oldest = this.sequences.keys().next().value;
      if (oldest !== undefined) this.sequences.delete(oldest);
    }
    this.sequences.set(called, sequence + 1);
  }
}
