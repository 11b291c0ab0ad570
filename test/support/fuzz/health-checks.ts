import { setTimeout as delay } from 'node:timers/promises';
import { COPY_REQUEST_TYPE } from '../../../src/sip/copy/copy-request-body';
import { FUZZ_OWNER, FUZZ_TONE, FUZZ_TONE_PRICE, type FuzzRig } from './fuzz-rig';
import { CallCheckError, RawCaller } from './raw-caller';
import { baseMessage } from './sip-templates';
import { WireEndpoint, type FuzzTransport } from './wire-endpoint';
import type { WireMessage } from './wire-message';

/**
 * What a fuzz run checks after every batch: the server still answers OPTIONS, and a whole call with an
 * online copy still works end to end (early media, the copy answered 200, the result MESSAGE, exactly
 * one debit at the CHF, the tone in the caller's library). Each throws CallCheckError when not so.
 */

const TIMEOUT_MS = 5000;

/** An OPTIONS over `transport` on a fresh socket, answered 200. */
export async function probeOptions(rig: FuzzRig, transport: FuzzTransport, id: string): Promise<void> {
  const endpoint = await WireEndpoint.open(transport, rig.sipPort(transport));
  try {
    const callId = `fuzz-${id}@127.0.0.1`;
    const answered = new Promise<WireMessage>((resolve) => {
      endpoint.onMessage = (m) => {
        if (!m.isRequest && m.callId === callId && m.status >= 200) resolve(m);
      };
    });
    const probe = baseMessage({
      method: 'OPTIONS',
      protocol: endpoint.viaTransport,
      clientPort: endpoint.localPort,
      serverPort: endpoint.serverPort,
      id,
    });
    await endpoint.send(probe);
    const answer = await Promise.race([answered, delay(TIMEOUT_MS, null)]);
    if (!answer) throw new CallCheckError(`OPTIONS over ${transport} not answered within ${TIMEOUT_MS} ms`);
    if (answer.status !== 200)
      throw new CallCheckError(`OPTIONS over ${transport} answered ${answer.status} ${answer.reason}`);
  } finally {
    await endpoint.close();
  }
}

/** A new caller calls the owner over `transport`, copies the tone with a MESSAGE, and cancels. */
export async function verifyCopyCall(rig: FuzzRig, transport: FuzzTransport, id: string): Promise<void> {
  const caller = await rig.newCaller();
  const endpoint = await WireEndpoint.open(transport, rig.sipPort(transport));
  try {
    const call = new RawCaller({ endpoint, caller, called: FUZZ_OWNER, id, timeoutMs: TIMEOUT_MS });
    const ringing = await call.invite();
    if (ringing.status !== 183 || !/sendrecv/i.test(ringing.header('p-early-media') ?? '')) {
      throw new CallCheckError(`the call over ${transport} rang with ${ringing.status}, not CMR early media`);
    }
    const answer = await call.request('MESSAGE', {
      contentType: COPY_REQUEST_TYPE,
      body: Buffer.from('{"action":"copy","consent":true}'),
    });
    if (answer.status !== 200) {
      throw new CallCheckError(`the copy MESSAGE over ${transport} was answered ${answer.status} ${answer.reason}`);
    }
    const result = await call.serverRequest((m) => m.method === 'MESSAGE' && m.body.includes('"kind":"result"'));
    if (!result.body.includes('"outcome":"copied"')) {
      throw new CallCheckError(
        `the result MESSAGE over ${transport} says ${result.body.toString('utf8').slice(0, 300)}`,
      );
    }
    await call.cancel();
    const debits = rig.chf.debitsOf(caller);
    const charged = debits.map((d) => `${d.amountMinor} ${d.currency}`);
    if (charged.length !== 1 || charged[0] !== `${FUZZ_TONE_PRICE.amountMinor} ${FUZZ_TONE_PRICE.currency}`) {
      throw new CallCheckError(`the copy over ${transport} was debited [${charged.join(', ')}], not once 150 USD`);
    }
    if (!(await rig.app.store.getLibraryEntry(caller, FUZZ_TONE.id))) {
      throw new CallCheckError(`the copy over ${transport} is not in the caller's library`);
    }
  } finally {
    await endpoint.close();
  }
}
