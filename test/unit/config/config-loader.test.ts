import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, envName, loadConfig } from '../../../src/config/config-loader';

const DEFAULT = path.resolve(__dirname, '../../../config/default.json');

function overlay(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmr-config-'));
  const file = path.join(dir, 'overlay.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('configuration loader', () => {
  it('loads the defaults: SIP on 127.0.0.1:5060 over UDP and TCP, HTTP on 127.0.0.1:8080', () => {
    const config = loadConfig({ files: [DEFAULT] });
    assert.equal(config.sip.host, '127.0.0.1');
    assert.equal(config.sip.port, 5060);
    assert.deepEqual(config.sip.transports, ['udp', 'tcp']);
    assert.equal(config.http.port, 8080);
    assert.equal(config.store.kind, 'sqlite');
  });

  it('lets a later file override single keys and keeps the rest', () => {
    const config = loadConfig({ files: [DEFAULT, overlay({ sip: { port: 5070 } })] });
    assert.equal(config.sip.port, 5070);
    assert.equal(config.sip.host, '127.0.0.1');
  });

  it('derives environment variable names from the key path', () => {
    assert.equal(envName(['sip', 'port']), 'CMR_SIP_PORT');
    assert.equal(envName(['sip', 'timers', 't1Ms']), 'CMR_SIP_TIMERS_T1_MS');
    assert.equal(envName(['http', 'apiToken']), 'CMR_HTTP_API_TOKEN');
  });

  it('applies environment overrides with their types', () => {
    const config = loadConfig({
      files: [DEFAULT],
      env: { CMR_SIP_PORT: '5099', CMR_SIP_TRANSPORTS: 'tcp', CMR_LOG_MASK_NUMBERS: 'false', CMR_SIP_HOST: '::1' },
    });
    assert.equal(config.sip.port, 5099);
    assert.deepEqual(config.sip.transports, ['tcp']);
    assert.equal(config.log.maskNumbers, false);
    assert.equal(config.sip.host, '::1');
  });

  it('reports every problem at once, naming each key', () => {
    const problems = problemsOf(() =>
      loadConfig({
        files: [DEFAULT, overlay({ sip: { port: 70000, transports: ['sctp'], bogus: 1 }, log: { level: 'loud' } })],
        env: { CMR_SIP_TIMERS_T1_MS: 'soon' },
      }),
    );
    const text = problems.join('\n');
    for (const key of ['sip.port', 'sip.transports[0]', 'sip.bogus', 'log.level', 'sip.timers.t1Ms']) {
      assert.match(text, new RegExp(key.replace(/[[\].]/g, '\\$&')), `expected a problem about ${key}`);
    }
    assert.equal(problems.length, 5);
  });

  it('rejects a configuration file that is not JSON, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cmr-config-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ sip: ');
    const problems = problemsOf(() => loadConfig({ files: [DEFAULT, bad] }));
    assert.match(problems[0] ?? '', /bad\.json/);
  });

  it('returns a frozen configuration', () => {
    const config = loadConfig({ files: [DEFAULT] });
    assert.throws(() => {
      (config.sip as { port: number }).port = 1;
    });
  });
});
