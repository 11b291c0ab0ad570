import assert from 'node:assert/strict';
import { preview } from '../../support/fuzz/fuzz-report';
import { runParserFuzz } from '../../support/fuzz/parser-fuzz';

/**
 * Mangled SIP (byte, line and header level mutations of every method and of responses) through parseMessage,
 * scanFrame, every header view the server reads (Route, Contact, Request-URI, the call parties, Target-Dialog) and
 * the serializer. Seeded (CMR_FUZZ_SEED replays); the same target runs for minutes with `npm run fuzz -- --in-
 * process`.
 */
const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0x5eed_0001);
const INPUTS = 4000;

describe('the SIP parser, the stream framer and the header views under seeded mutation', () => {
  it(`returns a message or throws SipParseError, never another error, over ${INPUTS} mutated inputs`, () => {
    const [result] = runParserFuzz({ seed: SEED, iterations: INPUTS, seconds: 60, targets: ['sip-message'] }).targets;
    assert.ok(result);
    const failures = result.failures.map((f) => `${f.error} on ${preview(f.input)}`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.equal(result.inputs, INPUTS);
    assert.ok(result.accepted > 0 && result.refused > 0, `accepted ${result.accepted}, refused ${result.refused}`);
  });
});
