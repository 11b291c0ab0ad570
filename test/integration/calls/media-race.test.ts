import assert from 'node:assert/strict';
import { startInProcessCallRig, type InProcessCallRig } from '../../support/in-process-call';
import { TEST_SDP } from '../../support/test-uas';
import { until } from '../../support/until';

const CALLED = '+15550002012';

describe('the called party answering while the media-server leg is still starting', function () {
  this.timeout(20_000);
  let rig: InProcessCallRig;

  before(async () => {
    rig = await startInProcessCallRig({
      callee: { kind: 'answer', ringMs: 30 },
      mediaServer: { kind: 'answer', ringMs: 600 }, // rings first, answers late
      called: CALLED,
      resourceId: 'race-tone',
    });
  });
  after(async () => {
    await rig?.stop();
  });

  it('connects A to B directly and leaves no media-server dialog behind', async () => {
    const { app, caller, callee, mediaServer } = rig;
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${CALLED}@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550002011@127.0.0.1',
      to: `sip:${CALLED}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await caller.ua.invite(invite);
    const { response, dialog } = await outgoing.result;
    assert.equal(response.status, 200);
    assert.ok(dialog);
    const [call] = app.calls.values();
    assert.equal(call?.presentations.length, 0, 'nothing presented: B answered before the media server');
    await until(() => mediaServer.stack.ua.dialogs.size === 0, 'the media server to hold no dialog');
    assert.ok(mediaServer.events.includes('invite'), 'the media server was asked');
    const toCallee = callee.invites[callee.invites.length - 1];
    assert.match(toCallee?.headers.get('allow') ?? '', /UPDATE/, 'the B-leg says what we take in its dialog');
    assert.doesNotMatch(toCallee?.headers.get('contact') ?? '', /transport=/, 'a UDP next hop gets a UDP Contact');
    await caller.ua.bye(dialog);
    await until(() => app.sip.ua.dialogs.size === 0 && app.calls.activeCount === 0, 'the call to end everywhere');
  });
});
