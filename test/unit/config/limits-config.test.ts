import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config-loader';

const DEFAULT = path.resolve(__dirname, '../../../config/default.json');

/** The problems start-up would report for these overrides (empty when the configuration is accepted). */
function problemsWith(overrides: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ files: [DEFAULT], overrides, env });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
}

describe('connection, handshake and per-source call limits in the configuration', () => {
  it('has safe defaults for every new limit', () => {
    const config = loadConfig({ files: [DEFAULT] });
    assert.equal(config.sip.limits.maxConnectionsPerSource, 100);
    assert.equal(config.sip.limits.tlsHandshakeTimeoutMs, 5000);
    assert.equal(config.sip.limits.maxTlsHandshakes, 256);
    assert.equal(config.http.tls.handshakeTimeoutMs, 5000);
    assert.equal(config.http.maxConnections, 1024);
    assert.equal(config.limits.maxCallsInProgressPerSource, 1000);
  });

  it('names each bad value at start-up, all at once', () => {
    const problems = problemsWith({
      sip: { limits: { maxConnectionsPerSource: -1, tlsHandshakeTimeoutMs: 0, maxTlsHandshakes: 0 } },
      http: { maxConnections: 'many', tls: { handshakeTimeoutMs: 1.5 } },
      limits: { maxCallsInProgressPerSource: -5 },
    });
    const keys = [
      'sip.limits.maxConnectionsPerSource',
      'sip.limits.tlsHandshakeTimeoutMs',
      'sip.limits.maxTlsHandshakes',
      'http.maxConnections',
      'http.tls.handshakeTimeoutMs',
      'limits.maxCallsInProgressPerSource',
    ];
    for (const key of keys) {
      assert.ok(
        problems.some((p) => p.startsWith(`${key}: expected an integer`)),
        `a problem names ${key}: ${problems.join('; ')}`,
      );
    }
    assert.equal(problems.length, keys.length);
  });

  it('takes 0 as "no cap" for the per-source limits, and reads them from the environment', () => {
    assert.deepEqual(problemsWith({ sip: { limits: { maxConnectionsPerSource: 0 } } }), []);
    const config = loadConfig({
      files: [DEFAULT],
      env: { CMR_SIP_LIMITS_MAX_CONNECTIONS_PER_SOURCE: '0', CMR_LIMITS_MAX_CALLS_IN_PROGRESS_PER_SOURCE: '7' },
    });
    assert.equal(config.sip.limits.maxConnectionsPerSource, 0);
    assert.equal(config.limits.maxCallsInProgressPerSource, 7);
  });
});
