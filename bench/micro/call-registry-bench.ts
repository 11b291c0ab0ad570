import { Call } from '../../src/calls/call';
import { systemClock } from '../../src/clock';
import { CallRegistry } from '../../src/calls/call-registry';
import { measure, type Measurement, type MeasureOptions } from './measure';

/** CallRegistry.get on a registry of `live` calls (node-cache underneath), with a plain Map for reference. */
export function callRegistryBenches(live: number, options: MeasureOptions): Measurement[] {
  const registry = new CallRegistry({ maxCalls: live * 2, maxCallSeconds: 14_400, lingerSeconds: 30 }, systemClock);
  const plain = new Map<string, Call>();
  const ids: string[] = [];
  for (let i = 0; i < live; i++) {
    const id = `${i.toString(16)}-3848276298220188511@198.51.100.7`;
    const call = new Call({
      id,
      parties: { caller: '+15550001002', called: '+15550001001', callerUri: 'sip:a', calledUri: 'sip:b' },
      icid: null,
      createdAt: Date.now(),
    });
    if (!registry.add(call)) throw new Error('the registry refused a call');
    plain.set(id, call);
    ids.push(id);
  }
  // A fixed pseudo-random visiting order, so lookups do not walk the table in insertion order.
  const order = Array.from({ length: live }, (_, i) => (i * 7919) % live);
  const results = [
    measure(`CallRegistry.get (${live} calls)`, (i) => (registry.get(ids[order[i % live]!]!) ? 1 : 0), options),
    measure(`Map.get, for reference (${live} calls)`, (i) => (plain.get(ids[order[i % live]!]!) ? 1 : 0), options),
  ];
  registry.close();
  return results;
}
