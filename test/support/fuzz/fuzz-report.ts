import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SentMessage } from './fuzz-batch';
import type { MemorySample } from './memory';
import type { ParserFuzzReport } from './parser-fuzz';
import type { SocketFuzzReport } from './socket-fuzz';

/** The summaries a fuzz run prints, and the files it writes for a finding so it can be replayed. */

const json = (value: unknown): string => JSON.stringify(value);

function memory(sample: MemorySample | null): string {
  if (!sample) return 'n/a';
  return `heap ${sample.heapUsedMb} MiB, rss ${sample.rssMb} MiB${sample.collected ? '' : ' (no GC)'}`;
}

export function formatSocketReport(r: SocketFuzzReport): string[] {
  const lines = [
    `seed ${r.seed}: ${r.batches} batches in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `sent ${r.sent.udp} over UDP, ${r.sent.tcp} over TCP ` +
      `(${r.sent.tcpConnections} connections, ${r.sent.tcpAbandoned} abandoned mid-message)`,
    `sent by kind ${json(r.sent.byKind)}`,
    `answers over UDP by class ${json(r.tally.byClass.udp)}; over TCP ${json(r.tally.byClass.tcp)}`,
    `answers by status ${json(r.tally.byStatus)}`,
    `answers to copy-bearing requests by status ${json(r.tally.copyByStatus)}`,
    `live calls ${r.sent.liveCalls}; over before their CANCEL: ${json(r.sent.liveCallsEndedEarly)}`,
    `health checks: ${r.probes} OPTIONS answered 200, ${r.copiesVerified} calls with a copy charged once`,
    `memory before ${memory(r.memoryBefore)}; after ${memory(r.memoryAfter)}; peak rss ${r.peakRssMb.toFixed(1)} MiB`,
  ];
  if (r.server) {
    const s = r.server;
    lines.push(`server transport: ${s.received} parsed, ${s.parseErrors} unparsable (${s.errorsAnswered} answered)`);
  }
  lines.push(`server log: errors ${json(r.logger.lines.counts.error)}; warnings ${json(r.logger.lines.counts.warn)}`);
  lines.push(r.findings.length === 0 ? 'findings: none' : `findings: ${r.findings.length}`);
  for (const f of r.findings) {
    lines.push(`  batch ${f.batch}: ${f.what}`);
    for (const s of f.suspects.slice(0, 3))
      lines.push(`    sent ${s.kind} over ${s.transport} [${s.applied.join(', ')}]: ${preview(s.data)}`);
  }
  return lines;
}

export function formatParserReport(r: ParserFuzzReport): string[] {
  const lines = [`seed ${r.seed}: ${r.iterations} inputs in ${(r.elapsedMs / 1000).toFixed(1)} s`];
  for (const t of r.targets) {
    lines.push(
      `  ${t.name}: ${t.inputs} inputs, ${t.accepted} accepted, ${t.refused} refused with the typed error, ` +
        `${t.failures.length} failures; slowest ${t.slowestMs.toFixed(1)} ms on ${t.slowestBytes} bytes ` +
        `(${t.slowestRetimedMs.toFixed(2)} ms timed again)`,
    );
  }
  const failures = r.targets.flatMap((t) => t.failures.map((f) => ({ target: t.name, ...f })));
  lines.push(failures.length === 0 ? 'findings: none' : `findings: ${failures.length}`);
  for (const f of failures.slice(0, 10)) lines.push(`  ${f.target}: ${f.error} on ${preview(f.input)}`);
  return lines;
}

/** A message shown in one line: the first bytes, with CR/LF and controls escaped. */
export function preview(data: Buffer, max = 160): string {
  const text = JSON.stringify(data.subarray(0, max).toString('latin1'));
  return data.length > max ? `${text}... (${data.length} bytes)` : text;
}

/** Writes the batch that broke something, one file per message, and returns the folder. */
export function writeBatch(dir: string, seed: number, batch: number, sent: readonly SentMessage[]): string {
  const folder = path.resolve(dir, `seed-${seed}-batch-${batch}`);
  mkdirSync(folder, { recursive: true });
  sent.forEach((m, i) => {
    const name = `${String(i).padStart(4, '0')}-${m.transport}-${m.kind}.sip`;
    writeFileSync(path.join(folder, name), m.data);
  });
  const index = sent.map((m, i) => ({ i, transport: m.transport, kind: m.kind, applied: m.applied }));
  writeFileSync(path.join(folder, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  return folder;
}
