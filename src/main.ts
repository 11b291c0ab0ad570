import path from 'node:path';
import { systemClock } from './clock';
import { ConfigError, loadConfig } from './config/config-loader';
import { startApp } from './app';
import { createLogger } from './observability/logger';

/** The process entry point: configuration, start-up, and a drain on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
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
  const app = await startApp({ config, logger, clock: systemClock });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    app.stop().then(
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
