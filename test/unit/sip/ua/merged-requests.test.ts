import assert from 'node:assert/strict';
import type { ServerTransaction } from '../../../../src/sip/transaction/transaction-user';
import { MergedRequests } from '../../../../src/sip/ua/merged-requests';
import { basicRequest } from '../../../support/sip-text';

describe('MergedRequests (RFC 3261 §8.2.2.2)', () => {
  const transaction = (): ServerTransaction => ({
    request: basicRequest('MESSAGE'),
    finalSent: false,
    respond: () => {},
    keepOnly: () => {},
  });

  it('tells a request that came by another path (other branch) from a retransmission (same branch)', () => {
    const merged = new MergedRequests();
    const first = transaction();
    assert.equal(merged.isMerged(basicRequest('MESSAGE'), first), false);
    assert.equal(merged.isMerged(basicRequest('MESSAGE'), transaction()), false, 'same branch');
    const otherPath = basicRequest('MESSAGE');
    otherPath.headers.set('Via', 'SIP/2.0/UDP 127.0.0.9:5080;branch=z9hG4bK-other');
    assert.equal(merged.isMerged(otherPath, transaction()), true);
    merged.ended(first);
    assert.equal(merged.isMerged(otherPath, transaction()), false, 'the first one is over');
  });

  it('forgets a request whose transaction ended, and no other', () => {
    const merged = new MergedRequests();
    const first = transaction();
    merged.isMerged(basicRequest('MESSAGE'), first);
    const other = transaction();
    const another = basicRequest('MESSAGE');
    another.headers.set('CSeq', '2 MESSAGE');
    merged.isMerged(another, other);
    assert.equal(merged.size, 2);
    merged.ended(first);
    merged.ended(first);
    assert.equal(merged.size, 1);
    merged.ended(other);
    assert.equal(merged.size, 0);
  });

  it('never calls ACK or CANCEL merged', () => {
    const merged = new MergedRequests();
    merged.isMerged(basicRequest('MESSAGE'), transaction());
    const cancel = basicRequest('CANCEL');
    cancel.headers.set('Via', 'SIP/2.0/UDP 127.0.0.9:5080;branch=z9hG4bK-other');
    assert.equal(merged.isMerged(cancel, transaction()), false);
  });
});
