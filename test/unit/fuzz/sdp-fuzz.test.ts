import assert from 'node:assert/strict';
import { preview } from '../../support/fuzz/fuzz-report';
import { runParserFuzz } from '../../support/fuzz/parser-fuzz';

/**
 * Mangled SDP and multipart/mixed bodies under mangled Content-Types through sdpOf and withOrigin, with localOrigin
 * fed mangled Contacts (which it may refuse with SipParseError only). Seeded (CMR_FUZZ_SEED replays); the same
 * target runs for minutes with `npm run fuzz -- --in-process`.
 */
const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0x5eed_0004);
const INPUTS = 3000;

describe('the SDP extraction and origin rewrite under seeded mutation', () => {
  it(`returns the SDP or null and rewrites its origin, never throwing, over ${INPUTS} mutated inputs`, () => {
    const [result] = runParserFuzz({ seed: SEED, iterations: INPUTS, seconds: 60, targets: ['sdp'] }).targets;
    assert.ok(result);
    const failures = result.failures.map((f) => `${f.error} on ${preview(f.input)}`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.equal(result.inputs, INPUTS);
    assert.ok(result.accepted > 0 && result.refused > 0, `accepted ${result.accepted}, refused ${result.refused}`);
  });
});
