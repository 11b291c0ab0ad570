import assert from 'node:assert/strict';
import { requestTemplate } from '../../../../src/sip/message/request-template';
import { basicRequest } from '../../../support/sip-text';

describe('requestTemplate (what is kept of a request once only some of it is read)', () => {
  it('keeps the named fields in their order, repeated ones included, with the Request-URI and no body', () => {
    const invite = basicRequest('INVITE', [
      'Route: <sip:p1.example;lr>',
      'Route: <sip:p2.example;lr>',
      'Contact: <sip:alice@10.0.0.2>',
      'Content-Type: application/sdp',
    ]);
    invite.body = Buffer.from('v=0\r\n');
    const template = requestTemplate(invite, new Set(['route', 'via', 'cseq']));
    assert.equal(template.method, 'INVITE');
    assert.equal(template.uri, invite.uri);
    assert.equal(template.body.length, 0);
    const wanted = invite.headers.entries().filter((f) => ['route', 'via', 'cseq'].includes(f.key));
    assert.deepEqual(template.headers.entries(), wanted);
    assert.deepEqual(template.headers.getAll('route'), ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    assert.equal(template.cseq.seq, invite.cseq.seq);
  });

  it('takes a kept string equal to a value instead of a copy of it, and copies the rest', () => {
    const invite = basicRequest('INVITE');
    const callId = invite.callId;
    const template = requestTemplate(invite, new Set(['call-id', 'cseq']), { shared: ['other', callId] });
    assert.equal(template.callId, callId);
    assert.equal(template.headers.get('cseq'), invite.headers.get('cseq'));
  });
});
