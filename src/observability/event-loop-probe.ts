import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoadProbe } from '../calls/admission';

/** Event-loop delay from Node's histogram, reset every window so it reflects the last second or so. */
export class EventLoopProbe implements LoadProbe {
  private readonly histogram: IntervalHistogram;
  private last = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs = 1000) {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.last = this.histogram.percentile(99) / 1e6;
      this.histogram.reset();
    }, windowMs);
    this.timer.unref();
  }

  eventLoopDelayMs(): number {
    return this.last;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
