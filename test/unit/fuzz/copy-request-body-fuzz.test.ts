import assert from 'node:assert/strict';
import { preview } from '../../support/fuzz/fuzz-report';
import { runParserFuzz } from '../../support/fuzz/parser-fuzz';

/**
 * Copy request bodies with wrong types, missing and extra fields, deep nesting, huge strings, unicode and invalid
 * UTF-8 through parseCopyRequest, which must return a result (never throw) and accept only what the schema allows.
 * Seeded (CMR_FUZZ_SEED replays); the same target runs for minutes with `npm run fuzz -- --in-process`.
 */
const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0x5eed_0002);
const INPUTS = 4000;

describe('the copy request body parser (application/vnd.cmr.copy-request+json) under seeded mutation', () => {
  it(`returns a result, never throws, accepts only bodies within the schema, over ${INPUTS} inputs`, () => {
    const [result] = runParserFuzz({
      seed: SEED,
      iterations: INPUTS,
      seconds: 60,
      targets: ['copy-request-body'],
    }).targets;
    assert.ok(result);
    const failures = result.failures.map((f) => `${f.error} on ${preview(f.input)}`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.equal(result.inputs, INPUTS);
    assert.ok(result.accepted > 0 && result.refused > 0, `accepted ${result.accepted}, refused ${result.refused}`);
  });
});
