import { migrate as applyMigrations } from '../../platform/db/migrate.ts';
import { printJson, printLine, type Command } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase migrate`: idempotent; several nodes (or a node and this command) may run it at once. */
export const migrate: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations',
  json: true,
  details: 'Safe to run at any time, also while a server runs: an advisory lock makes every migration apply exactly once.',
  async run(input) {
    const { applied } = await withDatabase(({ db }) => applyMigrations(db.pool), { migrate: false });
    if (input.json) return printJson({ applied });
    if (applied.length === 0) return printLine('The database is up to date.');
    printLine(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`);
    for (const tag of applied) printLine(`  ${tag}`);
  },
};
