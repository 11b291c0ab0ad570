import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/** One scrape of the server's GET /metrics (or the lack of an answer within the timeout). */
export interface MetricsSample {
  /** Milliseconds since the scraper started. */
  readonly atMs: number;
  /** Answered 200 within the timeout; false: a miss (the other fields are NaN). */
  readonly answered: boolean;
  /** Event-loop delay since the previous scrape (prom-client resets its histogram on each scrape), ms. */
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly callsActive: number;
  /** SIP responses sent with a 5xx status since start (the 503s of shedding, mostly). */
  readonly responses5xx: number;
}

const TIMEOUT_MS = 1000;
/** A bound on the samples kept whatever `stop()` does: one hour at one a second. */
const MAX_SAMPLES = 3600;

/**
 * Scrapes the server's Prometheus text every `everyMs`, one scrape at a time, until stopped: the
 * event-loop delay as the server measures it, its calls in progress and its 5xx count. A scrape that
 * gets no answer in 1 s is kept as a miss: the HTTP API stalled.
 */
export class MetricsScraper {
  private readonly samples: MetricsSample[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly httpPort: number,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    const started = Date.now();
    this.loop = (async () => {
      while (!this.stopped && this.samples.length < MAX_SAMPLES) {
        const at = Date.now();
        this.samples.push(parseSample(at - started, await getMetrics(this.httpPort)));
        await delay(Math.max(0, this.everyMs - (Date.now() - at)));
      }
    })();
  }

  async stop(): Promise<MetricsSample[]> {
    this.stopped = true;
    await this.loop;
    return [...this.samples];
  }
}

/** Scrapes once and returns the sample (for a check outside a run). */
export async function scrapeOnce(httpPort: number): Promise<MetricsSample> {
  return parseSample(0, await getMetrics(httpPort));
}

/** The sample of one scrape's text; null text: no answer. */
export function parseSample(atMs: number, text: string | null): MetricsSample {
  if (text === null) {
    return { atMs, answered: false, lagP99Ms: NaN, lagMaxMs: NaN, callsActive: NaN, responses5xx: NaN };
  }
  const value = (name: string): number => {
    const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return {
    atMs,
    answered: true,
    lagP99Ms: value('cmr_nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: value('cmr_nodejs_eventloop_lag_max_seconds') * 1000,
    callsActive: value('cmr_calls_active'),
    responses5xx: value('cmr_sip_responses_sent_total{status="5xx"}') || 0,
  };
}

function getMetrics(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : null));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
