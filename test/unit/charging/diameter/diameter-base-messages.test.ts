import assert from 'node:assert/strict';
import { avp, findAvps, findValue, readAvp } from '../../../../src/charging/diameter/avp-codec';
import {
  answerTo,
  capabilitiesAnswerProblem,
  capabilitiesExchangeRequest,
  disconnectPeerRequest,
  EndToEndIds,
  resultCodeOf,
  unsupportedAnswer,
} from '../../../../src/charging/diameter/diameter-base-messages';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import type { DiameterMessage } from '../../../../src/charging/diameter/diameter-message';

const NODE = { originHost: 'as.client.test', originRealm: 'client.test' };

function request(over: Partial<DiameterMessage> = {}): DiameterMessage {
  return {
    commandCode: 272,
    applicationId: 4,
    request: true,
    proxiable: true,
    error: false,
    retransmit: true,
    hopByHopId: 11,
    endToEndId: 22,
    avps: [
      avp(AVP.SESSION_ID, 'as.client.test;1;2'),
      avp(AVP.ORIGIN_HOST, 'peer.test'),
      avp(AVP.PROXY_INFO, [avp(AVP.PROXY_HOST, 'p1.test'), avp(AVP.PROXY_STATE, 'one')]),
      avp(AVP.PROXY_INFO, [avp(AVP.PROXY_HOST, 'p2.test'), avp(AVP.PROXY_STATE, 'two')]),
    ],
    ...over,
  };
}

describe('Diameter base messages', () => {
  it('builds a CER announcing the DCCA application, 3GPP as supported vendor and every host address', () => {
    const cer = capabilitiesExchangeRequest(
      {
        ...NODE,
        hostIpAddresses: ['127.0.0.1', '::1'],
        vendorId: 0,
        productName: 'cmr-copy-as',
        originStateId: 42,
        authApplicationIds: [4],
        supportedVendorIds: [10415],
      },
      { hopByHopId: 1, endToEndId: 2 },
    );
    assert.equal(cer.commandCode, 257);
    assert.equal(cer.request, true);
    assert.equal(cer.proxiable, false);
    assert.deepEqual(
      findAvps(cer.avps, AVP.HOST_IP_ADDRESS).map((a) => readAvp(AVP.HOST_IP_ADDRESS, a)),
      ['127.0.0.1', '::1'],
    );
    assert.equal(findValue(cer.avps, AVP.AUTH_APPLICATION_ID), 4);
    assert.equal(findValue(cer.avps, AVP.SUPPORTED_VENDOR_ID), 10415);
    assert.equal(findValue(cer.avps, AVP.PRODUCT_NAME), 'cmr-copy-as');
    assert.equal(findValue(cer.avps, AVP.VENDOR_ID), 0);
    assert.equal(findValue(cer.avps, AVP.INBAND_SECURITY_ID), undefined);
  });

  it('builds a DPR with its Disconnect-Cause', () => {
    const dpr = disconnectPeerRequest(NODE, 2, { hopByHopId: 1, endToEndId: 2 });
    assert.equal(dpr.commandCode, 282);
    assert.equal(findValue(dpr.avps, AVP.DISCONNECT_CAUSE), 2);
  });

  it('answers with the request ids, Session-Id first, and the Proxy-Info AVPs in their order', () => {
    const answer = answerTo(request(), NODE, 2001);
    assert.equal(answer.request, false);
    assert.equal(answer.retransmit, false);
    assert.equal(answer.proxiable, true);
    assert.equal(answer.error, false);
    assert.equal(answer.hopByHopId, 11);
    assert.equal(answer.endToEndId, 22);
    assert.equal(answer.avps[0]?.code, 263);
    assert.equal(findValue(answer.avps, AVP.ORIGIN_HOST), 'as.client.test');
    const proxyHosts = findAvps(answer.avps, AVP.PROXY_INFO).map((p) =>
      findValue(readAvp(AVP.PROXY_INFO, p), AVP.PROXY_HOST),
    );
    assert.deepEqual(proxyHosts, ['p1.test', 'p2.test']);
  });

  it('sets the E bit on answers carrying a 3xxx protocol error only', () => {
    assert.equal(answerTo(request(), NODE, 3002).error, true);
    assert.equal(answerTo(request(), NODE, 5030).error, false);
  });

  it('answers an unsupported application with 3007 and an unsupported command with 3001', () => {
    assert.equal(resultCodeOf(unsupportedAnswer(request({ applicationId: 16777238 }), NODE, [4])), 3007);
    assert.equal(resultCodeOf(unsupportedAnswer(request({ commandCode: 258 }), NODE, [4])), 3001);
    assert.equal(resultCodeOf(unsupportedAnswer(request({ applicationId: 0, commandCode: 999 }), NODE, [4])), 3001);
  });

  it('reads the result from Experimental-Result when there is no Result-Code', () => {
    const answer = {
      ...request({ request: false }),
      avps: [avp(AVP.EXPERIMENTAL_RESULT, [avp(AVP.VENDOR_ID, 10415), avp(AVP.EXPERIMENTAL_RESULT_CODE, 5030)])],
    };
    assert.equal(resultCodeOf(answer), 5030);
    assert.equal(resultCodeOf({ ...answer, avps: [] }), null);
  });

  it('opens on a CEA 2001 offering DCCA directly, inside Vendor-Specific-Application-Id, or as a relay', () => {
    const cea = (avps: ReturnType<typeof avp>[], resultCode = 2001) => ({
      ...answerTo(request({ applicationId: 0, commandCode: 257 }), NODE, resultCode),
      avps: [avp(AVP.RESULT_CODE, resultCode), ...avps],
    });
    assert.equal(capabilitiesAnswerProblem(cea([avp(AVP.AUTH_APPLICATION_ID, 4)]), [4]), null);
    const vendorSpecific = avp(AVP.VENDOR_SPECIFIC_APPLICATION_ID, [
      avp(AVP.VENDOR_ID, 10415),
      avp(AVP.AUTH_APPLICATION_ID, 4),
    ]);
    assert.equal(capabilitiesAnswerProblem(cea([vendorSpecific]), [4]), null);
    assert.equal(capabilitiesAnswerProblem(cea([avp(AVP.AUTH_APPLICATION_ID, 0xffffffff)]), [4]), null);
    assert.equal(
      capabilitiesAnswerProblem(cea([avp(AVP.AUTH_APPLICATION_ID, 1)]), [4]),
      'no common application in CEA',
    );
    assert.equal(capabilitiesAnswerProblem(cea([avp(AVP.AUTH_APPLICATION_ID, 4)], 3010), [4]), 'CEA Result-Code 3010');
  });

  it('derives end-to-end ids from the clock in the high 12 bits and increments them', () => {
    const ids = new EndToEndIds(0x123 * 1000);
    const first = ids.next();
    assert.equal(((first - 1) >>> 0) >>> 20, 0x123); // the seed: 12 bits of time, then 20 random bits
    assert.equal(ids.next(), (first + 1) >>> 0);
  });
});
