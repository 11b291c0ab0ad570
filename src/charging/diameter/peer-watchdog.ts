import type { Clock, TimerHandle } from '../../clock';

export interface PeerWatchdogOptions {
  /** Tw (RFC 3539 §3.4.1); jittered by up to ±2 s (at most ±10 % of Tw). */
  readonly twMs: number;
  readonly clock: Clock;
  /** Send a DWR now. */
  readonly probe: () => void;
  /** A DWR went unanswered for a whole Tw: the connection is to be failed. */
  readonly expire: () => void;
}

/**
 * The RFC 3539 watchdog of one open connection: any traffic received restarts Tw; when Tw expires
 * a DWR is sent; when it expires again with that DWR unanswered (no traffic at all), the connection
 * has failed.
 */
export class PeerWatchdog {
  private timer: TimerHandle | null = null;
  private outstanding = false;

  constructor(private readonly options: PeerWatchdogOptions) {}

  /** Traffic from the peer (or the connection just opened): restart Tw. */
  traffic(): void {
    this.stop();
    this.outstanding = false;
    this.arm();
  }

  stop(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const tw = this.options.twMs;
    const jitter = Math.min(2000, tw / 10);
    const delay = Math.max(1, Math.round(tw + (Math.random() * 2 - 1) * jitter));
    this.timer = this.options.clock.setTimeout(() => this.expired(), delay);
  }

  private expired(): void {
    this.timer = null;
    if (this.outstanding) {
      this.options.expire();
      return;
    }
    this.outstanding = true;
    this.options.probe();
    this.arm();
  }
}
