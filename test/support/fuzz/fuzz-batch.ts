import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import type { AnswerTally } from './answer-tally';
import { copyBearingRequest, type CopyFuzzTarget } from './copy-request-fuzz';
import { FUZZ_OWNER, FUZZ_TONE, type FuzzRig } from './fuzz-rig';
import { CallCheckError, RawCaller } from './raw-caller';
import { chance, pick, randomInt, seededRng, type Rng } from './rng';
import { mutate, mutateKeepingFrame } from './sip-mutator';
import { ALL_METHODS, baseMessage, baseResponse, RESPONSE_STATUSES } from './sip-templates';
import { WireEndpoint, type FuzzTransport } from './wire-endpoint';
import type { WireMessage } from './wire-message';

/**
 * One batch of a socket fuzz run: mutated requests and stray responses over UDP and over many short TCP
 * connections (whole, in chunks, or abandoned mid-message), and copy-bearing requests with mutated bodies
 * into two live CMR calls (one per transport) whose callers answer the server's notices, sometimes with
 * mangled responses. Every send is recorded so a batch that breaks something can be written out.
 */

/** Under the 65 507-byte UDP payload limit. */
const UDP_MAX_BYTES = 65_000;
/** Over TCP, past the server's 65 535-byte maxMessageBytes too (513 and the connection closed). */
const TCP_MAX_BYTES = 100_000;
const TCP_CONCURRENCY = 25;
const TCP_WAIT_MS = 150;
/** How long the live calls get to answer the batch's last copy requests before they are cancelled. */
const SETTLE_MS = 300;

export interface SentMessage {
  readonly transport: FuzzTransport;
  readonly kind: string;
  readonly applied: readonly string[];
  readonly data: Buffer;
}

export interface SendCounts {
  udp: number;
  tcp: number;
  byKind: Record<string, number>;
  tcpConnections: number;
  tcpAbandoned: number;
  liveCalls: number;
  /** Live calls that were over before their CANCEL (a mangled answer may end a dialog: RFC 3261 §12.2.1.2), by why. */
  liveCallsEndedEarly: Record<string, number>;
}

export function emptyCounts(): SendCounts {
  return { udp: 0, tcp: 0, byKind: {}, tcpConnections: 0, tcpAbandoned: 0, liveCalls: 0, liveCallsEndedEarly: {} };
}

export interface BatchContext {
  readonly seed: number;
  readonly rng: Rng;
  readonly rig: FuzzRig;
  readonly tally: AnswerTally;
  /** The shared UDP socket of the stateless traffic; its answers go to the tally. */
  readonly udp: WireEndpoint;
  readonly counts: SendCounts;
  readonly batch: number;
  readonly size: number;
}

type TcpMode = 'whole' | 'chunked' | 'abandoned';

interface TcpSession {
  messages: SentMessage[];
  mode: TcpMode;
  /** For 'abandoned': the share of the first message sent before the socket is destroyed. */
  abandonAt: number;
}

export interface BatchResult {
  readonly sent: SentMessage[];
  /** The callers of the batch's live calls: each may have been charged once at most. */
  readonly liveCallers: string[];
}

/** Sends one batch and returns what it sent. Throws CallCheckError when a live call cannot be set up. */
export async function runBatch(ctx: BatchContext): Promise<BatchResult> {
  const sent: SentMessage[] = [];
  const record = (m: SentMessage): void => {
    sent.push(m);
    ctx.counts[m.transport]++;
    ctx.counts.byKind[m.kind] = (ctx.counts.byKind[m.kind] ?? 0) + 1;
  };
  const live = await openLiveCalls(ctx);
  try {
    const sessions: TcpSession[] = [];
    let current: TcpSession | null = null;
    for (let i = 0; i < ctx.size; i++) {
      const id = `${ctx.seed}-${ctx.batch}-${i}`;
      const roll = ctx.rng();
      if (roll < 0.35) {
        const target = pick(ctx.rng, live);
        const m = copyBearingRequest(ctx.rng, target, id);
        const transport = target.call.endpoint.transport;
        record({ transport, kind: m.kind, applied: m.applied, data: m.data });
        await target.call.endpoint.send(m.data);
        await tick();
        continue;
      }
      const overTcp = chance(ctx.rng, 0.3);
      const message =
        roll < 0.45 ? strayResponse(ctx.rng, overTcp, ctx, id) : mangledRequest(ctx.rng, overTcp, ctx, id);
      if (!overTcp) {
        record(message);
        await ctx.udp.send(message.data);
        await tick();
        continue;
      }
      if (!current || current.messages.length >= randomInt(ctx.rng, 1, 3)) {
        const mode = pick<TcpMode>(ctx.rng, ['whole', 'whole', 'whole', 'chunked', 'abandoned']);
        // Drawn here, not when the session runs: sessions run concurrently, the generator must not.
        current = { messages: [], mode, abandonAt: ctx.rng() };
        sessions.push(current);
      }
      current.messages.push(message);
      record(message);
    }
    for (let at = 0; at < sessions.length; at += TCP_CONCURRENCY) {
      await Promise.all(sessions.slice(at, at + TCP_CONCURRENCY).map((s) => tcpSession(ctx, s)));
    }
    await delay(SETTLE_MS);
  } finally {
    await closeLiveCalls(ctx, live);
  }
  return { sent, liveCallers: live.map((l) => l.caller) };
}

function mangledRequest(rng: Rng, overTcp: boolean, ctx: BatchContext, id: string): SentMessage {
  const method = pick(rng, ALL_METHODS);
  const protocol = overTcp ? 'TCP' : 'UDP';
  const serverPort = ctx.rig.sipPort(overTcp ? 'tcp' : 'udp');
  const base = baseMessage({ method, protocol, clientPort: overTcp ? 5099 : ctx.udp.localPort, serverPort, id });
  const { data, applied } = mutate(base, rng, overTcp ? TCP_MAX_BYTES : UDP_MAX_BYTES);
  return { transport: overTcp ? 'tcp' : 'udp', kind: 'sip-request', applied: [method, ...applied], data };
}

function strayResponse(rng: Rng, overTcp: boolean, ctx: BatchContext, id: string): SentMessage {
  const status = pick(rng, RESPONSE_STATUSES);
  const method = pick(rng, ALL_METHODS);
  const serverPort = ctx.rig.sipPort(overTcp ? 'tcp' : 'udp');
  const base = baseResponse({ status, method, protocol: overTcp ? 'TCP' : 'UDP', serverPort, id });
  const { data, applied } = mutate(base, rng, overTcp ? TCP_MAX_BYTES : UDP_MAX_BYTES);
  return {
    transport: overTcp ? 'tcp' : 'udp',
    kind: 'sip-response',
    applied: [`${status} ${method}`, ...applied],
    data,
  };
}

/** One client connection: connect, send its messages as its mode says, wait a little for the answers, close. */
async function tcpSession(ctx: BatchContext, session: TcpSession): Promise<void> {
  let endpoint: WireEndpoint;
  try {
    endpoint = await WireEndpoint.open('tcp', ctx.rig.sipPort('tcp'));
  } catch {
    return; // refused (over sip.limits.maxTcpConnections): an answer of sorts
  }
  ctx.counts.tcpConnections++;
  let finals = 0;
  endpoint.onMessage = (m) => {
    if (m.isRequest) return;
    ctx.tally.add('tcp', m);
    if (m.status >= 200) finals++;
  };
  try {
    if (session.mode === 'abandoned') {
      ctx.counts.tcpAbandoned++;
      const first = session.messages[0]?.data ?? Buffer.alloc(0);
      await endpoint.send(first.subarray(0, Math.floor(session.abandonAt * first.length)));
      return;
    }
    for (const m of session.messages) {
      if (session.mode === 'whole') await endpoint.send(m.data);
      else await endpoint.sendChunked(m.data, 4);
    }
    for (let waited = 0; waited < TCP_WAIT_MS && finals < session.messages.length && !endpoint.closed; waited += 10) {
      await delay(10);
    }
  } finally {
    await endpoint.close();
  }
}

interface LiveCall extends CopyFuzzTarget {
  readonly call: RawCaller;
}

/** A CMR call per transport, ringing with early media, for the copy-bearing requests to land in. */
async function openLiveCalls(ctx: BatchContext): Promise<LiveCall[]> {
  const calls: LiveCall[] = [];
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      const caller = await ctx.rig.newCaller();
      const endpoint = await WireEndpoint.open(transport, ctx.rig.sipPort(transport));
      // Its own generator: when the server's notices arrive depends on timing, the batch's traffic must not.
      const answerRng = seededRng(ctx.seed ^ (ctx.batch * 7919 + (transport === 'tcp' ? 1 : 0)));
      const call = new RawCaller({
        endpoint,
        caller,
        called: FUZZ_OWNER,
        id: `live-${ctx.seed}-${ctx.batch}-${transport}`,
        answer: (_request, ok) => mangledAnswer(answerRng, transport, ok),
        onResponse: (m: WireMessage) => ctx.tally.add(transport, m, m.method === 'INFO' || m.method === 'MESSAGE'),
      });
      calls.push({ call, caller, owner: FUZZ_OWNER, resourceId: FUZZ_TONE.id });
      ctx.counts.liveCalls++;
      const ringing = await call.invite();
      if (ringing.status !== 183)
        throw new CallCheckError(`a live call over ${transport} rang ${ringing.status}, not 183`);
    }
  } catch (err) {
    await closeLiveCalls(ctx, calls);
    throw err;
  }
  return calls;
}

/** How a live caller answers a notice: mostly 200, sometimes mangled (framing kept over TCP), sometimes not at all. */
function mangledAnswer(rng: Rng, transport: FuzzTransport, ok: Buffer): Buffer | null {
  const roll = rng();
  if (roll < 0.6) return ok;
  if (roll < 0.85) return (transport === 'tcp' ? mutateKeepingFrame(ok, rng) : mutate(ok, rng, UDP_MAX_BYTES)).data;
  return null;
}

async function closeLiveCalls(ctx: BatchContext, calls: LiveCall[]): Promise<void> {
  for (const { call } of calls) {
    try {
      await call.cancel();
    } catch (err) {
      if (!(err instanceof CallCheckError)) throw err;
      const ended = ctx.counts.liveCallsEndedEarly;
      const transport = call.endpoint.transport;
      const gone = call.endpoint.closed ? ', its connection closed by the server' : '';
      const why = `${transport}: ${err.message.replace(/ \(call-[^)]*\)/, '')}${gone}`;
      ended[why] = (ended[why] ?? 0) + 1;
    } finally {
      await call.endpoint.close();
    }
  }
}
