import { loadConfig, ConfigError } from '../../platform/config/config.ts';
import { DatabaseInUseError } from '../../platform/db/database.ts';
import { CliError, type Command } from '../command.ts';

/** `opsbase start`: what `npm start` runs. Runs until SIGTERM or SIGINT, then stops gracefully. */
export const start: Command = {
  name: 'start',
  summary: 'Start the server (what npm start runs)',
  details: [
    'Configuration comes from the environment: PORT, HOST, DATA_DIR, DATABASE_URL, PUBLIC_URL, LOG_LEVEL,',
    'OPSBASE_DEMO, REDIS_URL (see the README). SIGTERM or SIGINT stops it gracefully: it stops taking',
    'requests, lets in-flight ones and background work finish, then closes the database.',
  ].join('\n'),
  async run() {
    // Loaded here, not at the top: the server (fastify, every API) takes a second to load that the other commands need not pay.
    const { startServer } = await import('../../platform/start.ts');
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(loadConfig());
    } catch (error) {
      if (error instanceof ConfigError || error instanceof DatabaseInUseError) throw new CliError(error.message);
      // e.g. EADDRINUSE: the message says what is wrong; the stack would not help the person starting it.
      throw new CliError(`The server could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        server.ctx.log.info({ signal }, 'shutting down');
        void server.stop().then(resolve);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  },
};
