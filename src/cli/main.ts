import { loadConfig, ConfigError } from '../platform/config/config.ts';
import { startServer } from '../platform/start.ts';
import { DatabaseInUseError } from '../platform/db/database.ts';

// Placeholder entry: `start` only. The full CLI replaces this file.
const [command = 'start'] = process.argv.slice(2);
if (command === 'start') {
  try {
    const server = await startServer(loadConfig());
    const shutdown = (signal: string) => {
      server.ctx.log.info({ signal }, 'shutting down');
      void server.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
