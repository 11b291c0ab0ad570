import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from './clock';
import type { CrashPoint } from './cmr/copy-attempt';
import { ConfigError, loadConfig } from './config/config-loader';
import type { AppConfig } from './config/schema';
import { startApp } from './app';
import { createLogger } from './observability/logger';

/** Relative store, seed and TLS file paths are read from the project root, wherever the process was started. */
function withPathsFrom(root: string, config: AppConfig): AppConfig {
  const resolve = (p: string) => (p === '' || p === ':memory:' || path.isAbsolute(p) ? p : path.join(root, p));
  const { sip, http } = config;
  return {
    ...config,
    store: { ...config.store, sqlitePath: resolve(config.store.sqlitePath), seedFile: resolve(config.store.seedFile) },
    sip: {
      ...sip,
      tls: {
        ...sip.tls,
        certFile: resolve(sip.tls.certFile),
        keyFile: resolve(sip.tls.keyFile),
        caFile: resolve(sip.tls.caFile),
      },
    },
    http: { ...http, tls: { ...http.tls, certFile: resolve(http.tls.certFile), keyFile: resolve(http.tls.keyFile) } },
  };
}

/** The process entry point: configuration, start-up, and a drain on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  // dist/src/main.js when built, src/main.ts under tsx: the project root is the one with config/.
  const root = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')].find((dir) =>
    existsSync(path.join(dir, 'config', 'default.json')),
  );
  if (!root) throw new Error(`config/default.json not found above ${__dirname}`);
  const files = [path.join(root, 'config', 'default.json')];
  if (process.env.CMR_CONFIG) files.push(path.resolve(process.env.CMR_CONFIG));
  const bootLogger = createLogger({ level: 'info' });
  let config;
  try {
    config = loadConfig({ files, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      bootLogger.error('configuration rejected', { problems: err.problems });
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const logger = createLogger(config.log);
  const crashAt = config.testing.crashAt;
  // The kill tests' hook (testing.crashAt): die at once, like a power cut, at one step of a charged copy.
  const crashPoint: CrashPoint | undefined =
    crashAt === ''
      ? undefined
      : (step) => {
          if (step === crashAt) process.kill(process.pid, 'SIGKILL');
        };
  if (crashPoint) logger.warn('test hook armed: the process kills itself during a copy', { crashAt });
  const app = await startApp({ config: withPathsFrom(root, config), logger, clock: systemClock, crashPoint });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: stopping now', { signal });
      app.stop().finally(() => process.exit(1));
      return;
    }
    stopping = true;
    const drainMs = signal === 'SIGTERM' ? config.shutdown.drainSeconds * 1000 : 0;
    logger.info('stopping: no new calls, draining calls in progress', {
      signal,
      drainMs,
      calls: app.calls.activeCount,
    });
    app
      .drain(drainMs)
      .then(() => app.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('stop failed', { error: String(err) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const logger = createLogger({ level: 'error' });
  logger.error('start-up failed', {
    error: err instanceof Error ? err.message : String(err),
    code: (err as { code?: string }).code,
  });
  process.exit(1);
});
