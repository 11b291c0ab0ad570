import path from 'node:path';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config/config-loader';
import type { AppConfig } from '../../src/config/schema';
import { systemClock } from '../../src/clock';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger';
import type { TransportProtocol } from '../../src/sip/message/sip-message';

const ROOT = path.resolve(__dirname, '../..');

/** The test configuration (config/default.json + config/test.json) with per-test overrides. */
export function testConfig(overrides: Record<string, unknown> = {}): AppConfig {
  return loadConfig({
    files: [path.join(ROOT, 'config/default.json'), path.join(ROOT, 'config/test.json')],
    overrides: { sip: { port: 0 }, ...overrides },
  });
}

export function testLogger(): Logger {
  return process.env.TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger();
}

export interface TestApp extends RunningApp {
  readonly config: AppConfig;
  /** Where the server's SIP transport listens, per protocol. */
  sipPort(protocol: TransportProtocol): number;
}

/** Builds and starts the whole application in-process, on ephemeral loopback ports. */
export async function startTestApp(overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await startApp({ config, logger: testLogger(), clock: systemClock });
  return {
    ...app,
    config,
    sipPort: (protocol) => {
      const bound = app.sip.addresses().find((a) => a.protocol === protocol);
      if (!bound) throw new Error(`no ${protocol} transport bound`);
      return bound.port;
    },
  };
}
