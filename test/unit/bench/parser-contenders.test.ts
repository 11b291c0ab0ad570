import assert from 'node:assert/strict';
import { npmSipContender, ours, sipJsContender, verifyContender } from '../../../bench/micro/parser-contenders';
import { SAMPLES, INVITE } from '../../../bench/micro/sample-messages';

describe('bench: the parsers compared by bench:micro', () => {
  it('reads the three sample messages alike with ours, npm sip and SIP.js before any timing', async () => {
    const contenders = [ours, npmSipContender, await sipJsContender()];
    for (const contender of contenders) for (const sample of SAMPLES) verifyContender(contender, sample);
  });

  it('refuses a contender that misreads a sample', () => {
    const wrong = { ...INVITE, expect: { ...INVITE.expect, branch: 'z9hG4bK-not-this-one' } };
    assert.throws(() => verifyContender(ours, wrong), /misread INVITE/);
  });
});
