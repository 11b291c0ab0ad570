import assert from 'node:assert/strict';
import { DiameterChargingGateway, parsePeerAddress } from '../../../../src/charging/diameter/diameter-charging.adapter';
import { DIAMETER_CHARGING_DEFAULTS, diameterChargingSchema } from '../../../../src/config/diameter-charging-schema';
import { AppError } from '../../../../src/errors';
import { silentLogger } from '../../../../src/observability/logger';

function problemsOf(values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, field] of Object.entries(diameterChargingSchema)) {
    field.check(values[key], `charging.diameter.${key}`, problems);
  }
  return problems;
}

describe('Diameter charging configuration', () => {
  it('has defaults that pass its own schema', () => {
    assert.deepEqual(problemsOf({ ...DIAMETER_CHARGING_DEFAULTS }), []);
  });

  it('refuses a Tw below the 6 s RFC 3539 floor and a peer without a port', () => {
    const problems = problemsOf({ ...DIAMETER_CHARGING_DEFAULTS, twMs: 1000, peers: ['ocs.example'] });
    assert.equal(problems.length, 2);
    assert.ok(problems.some((p) => p.startsWith('charging.diameter.twMs')));
    assert.ok(problems.some((p) => p.startsWith('charging.diameter.peers[0]')));
  });

  it('reads host:port and [v6]:port peer addresses', () => {
    assert.deepEqual(parsePeerAddress('127.0.0.1:3868'), { host: '127.0.0.1', port: 3868 });
    assert.deepEqual(parsePeerAddress('ocs1.example.net:3868'), { host: 'ocs1.example.net', port: 3868 });
    assert.deepEqual(parsePeerAddress('[::1]:3869'), { host: '::1', port: 3869 });
  });

  it('refuses a peer address without a valid port with CHARGING.CONFIG', () => {
    for (const bad of ['ocs', 'ocs:0', 'ocs:70000', '::1:3868', '']) {
      assert.throws(
        () => parsePeerAddress(bad),
        (err: unknown) => err instanceof AppError && err.code === 'CHARGING.CONFIG',
        bad,
      );
    }
  });

  it('refuses identities and addresses no Diameter message could carry, naming each, without connecting', () => {
    assert.throws(
      () =>
        new DiameterChargingGateway({
          ...DIAMETER_CHARGING_DEFAULTS,
          peers: [],
          originHost: 'cmr as',
          destinationHost: 'ocs_1',
          hostIpAddresses: ['not-an-ip'],
          logger: silentLogger(),
        }),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'CHARGING.CONFIG' &&
        ['peer', 'originHost', 'destinationHost', 'hostIpAddresses'].every((k) => err.message.includes(k)),
    );
  });
});
