import assert from 'node:assert/strict';
import { Dialog } from '../../../../src/sip/dialog/dialog';
import { DialogTable, parseTargetDialog } from '../../../../src/sip/dialog/dialog-table';
import { basicRequest, sipResponse } from '../../../support/sip-text';

const CONTACT = '<sip:127.0.0.1:5060>';

function invite(extra: string[] = []) {
  return basicRequest('INVITE', ['Contact: <sip:alice@10.0.0.2:5062>', ...extra]);
}

function idOf(d: Dialog) {
  const { callId, localTag, remoteTag } = d.id;
  return { callId, localTag, remoteTag };
}

describe('dialogs (RFC 3261 §12)', () => {
  it('builds the UAS side from the INVITE: remote target from Contact, route set from Record-Route in order', () => {
    const d = Dialog.asUas(invite(['Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>']), 'ourtag', CONTACT);
    assert.deepEqual(idOf(d), { callId: 'call-1@127.0.0.2', localTag: 'ourtag', remoteTag: 'a1' });
    assert.equal(d.remoteTarget, 'sip:alice@10.0.0.2:5062');
    assert.deepEqual(d.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    assert.equal(d.remoteSeq, 1);
    assert.equal(d.local.params.get('tag'), 'ourtag');
  });

  it('builds the UAC side from a 2xx: route set from Record-Route reversed, confirmed', () => {
    const request = invite();
    const ok = sipResponse([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
      'From: <sip:alice@127.0.0.2>;tag=a1',
      'To: <sip:bob@127.0.0.1>;tag=b2',
      'Call-ID: call-1@127.0.0.2',
      'CSeq: 1 INVITE',
      'Contact: <sip:bob@10.0.0.3>',
      'Record-Route: <sip:p2.example;lr>',
      'Record-Route: <sip:p1.example;lr>',
    ]);
    const d = Dialog.asUac(request, ok, CONTACT);
    assert.equal(d.state, 'confirmed');
    assert.deepEqual(idOf(d), { callId: 'call-1@127.0.0.2', localTag: 'a1', remoteTag: 'b2' });
    assert.deepEqual(d.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    assert.equal(d.remoteTarget, 'sip:bob@10.0.0.3');
  });

  it('shares one empty route set among dialogs without Record-Route (a call keeps three dialogs)', () => {
    const a = Dialog.asUas(invite(), 'tag-a', CONTACT);
    const b = Dialog.asUas(invite(), 'tag-b', CONTACT);
    assert.deepEqual(a.routeSet, []);
    assert.equal(a.routeSet, b.routeSet);
  });

  it('sends in-dialog requests to the remote target with the loose route set and a rising CSeq', () => {
    const d = Dialog.asUas(invite(['Record-Route: <sip:p1.example;lr>']), 'ourtag', CONTACT);
    const bye = d.createRequest('BYE');
    const info = d.createRequest('INFO');
    assert.equal(bye.uri, 'sip:alice@10.0.0.2:5062');
    assert.deepEqual(bye.headers.getAll('route'), ['<sip:p1.example;lr>']);
    assert.equal(bye.cseq.seq + 1, info.cseq.seq);
    assert.equal(bye.fromTag, 'ourtag');
    assert.equal(bye.toTag, 'a1');
  });

  it('puts a strict first route in the Request-URI and the remote target last (RFC 3261 §12.2.1.1)', () => {
    const d = Dialog.asUas(invite(['Record-Route: <sip:strict.example>, <sip:p2.example;lr>']), 'ourtag', CONTACT);
    const bye = d.createRequest('BYE');
    assert.equal(bye.uri, 'sip:strict.example');
    assert.deepEqual(bye.headers.getAll('route'), ['<sip:p2.example;lr>', '<sip:alice@10.0.0.2:5062>']);
  });

  it('refuses a remote CSeq lower than or equal to the last one, except ACK and CANCEL', () => {
    const d = Dialog.asUas(invite(), 'ourtag', CONTACT);
    const again = basicRequest('INFO');
    assert.equal(d.checkRemoteCSeq(again), 'out-of-order');
    const ack = basicRequest('ACK');
    assert.equal(d.checkRemoteCSeq(ack), 'ok');
    const later = basicRequest('INFO');
    later.headers.set('CSeq', '2 INFO');
    assert.equal(d.checkRemoteCSeq(later), 'ok');
    assert.equal(d.remoteSeq, 2);
  });

  it('finds a dialog by the tags of an in-dialog request and by an RFC 4538 Target-Dialog', () => {
    const table = new DialogTable();
    const d = Dialog.asUas(invite(), 'ourtag', CONTACT);
    table.add(d);
    const bye = basicRequest('BYE');
    bye.headers.set('To', '<sip:bob@127.0.0.1>;tag=ourtag');
    assert.equal(table.forRequest(bye), d);
    // The sender (the caller) names its own tag as local-tag and ours as remote-tag.
    const target = parseTargetDialog('call-1@127.0.0.2;local-tag=a1;remote-tag=ourtag');
    assert.ok(target);
    assert.equal(table.forTargetDialog(target), d);
    assert.equal(table.forTargetDialog({ ...target, senderLocalTag: 'forged' }), undefined);
  });

  it('tells apart the dialogs of one Call-ID by their tags, replaces one filed again and forgets each alone', () => {
    const table = new DialogTable();
    const [a, b, c] = ['t-a', 't-b', 't-c'].map((tag) => Dialog.asUas(invite(), tag, CONTACT));
    assert.ok(a && b && c);
    table.add(a);
    table.add(b);
    table.add(c);
    const again = Dialog.asUas(invite(), 't-b', CONTACT);
    table.add(again);
    assert.equal(table.size, 3);
    const id = (localTag: string) => ({ callId: 'call-1@127.0.0.2', localTag, remoteTag: 'a1' });
    assert.equal(table.get(id('t-a')), a);
    assert.equal(table.get(id('t-b')), again, 'the one filed last');
    assert.equal(table.get(id('t-x')), undefined);
    assert.equal(table.get({ ...id('t-a'), callId: 'other' }), undefined);
    table.remove(b);
    assert.equal(table.get(id('t-b')), undefined);
    assert.equal(table.size, 2);
    table.remove(b);
    assert.equal(table.size, 2, 'forgetting twice changes nothing');
    assert.deepEqual([...table.values()], [a, c]);
    table.remove(a);
    table.remove(c);
    assert.equal(table.size, 0);
    assert.deepEqual([...table.values()], []);
  });

  it('rejects a Target-Dialog without both tags', () => {
    assert.equal(parseTargetDialog('call-1;local-tag=a1'), null);
    assert.equal(parseTargetDialog(''), null);
  });
});
