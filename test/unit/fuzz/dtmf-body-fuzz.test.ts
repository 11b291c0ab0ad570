import assert from 'node:assert/strict';
import { preview } from '../../support/fuzz/fuzz-report';
import { runParserFuzz } from '../../support/fuzz/parser-fuzz';

/**
 * Key-press bodies with odd separators, case, event codes, many lines and invalid UTF-8 through dtmfDigit, labelled
 * with each Content-Type. Seeded (CMR_FUZZ_SEED replays); the same target runs for minutes with `npm run fuzz --
 * --in-process`.
 */
const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0x5eed_0003);
const INPUTS = 4000;

describe('the DTMF body parsers (application/dtmf-relay, application/dtmf) under seeded mutation', () => {
  it(`returns one key (0-9, *, #, A-D) or null and never throws over ${INPUTS} mutated inputs`, () => {
    const [result] = runParserFuzz({ seed: SEED, iterations: INPUTS, seconds: 60, targets: ['dtmf-body'] }).targets;
    assert.ok(result);
    const failures = result.failures.map((f) => `${f.error} on ${preview(f.input)}`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.equal(result.inputs, INPUTS);
    assert.ok(result.accepted > 0 && result.refused > 0, `accepted ${result.accepted}, refused ${result.refused}`);
  });
});
