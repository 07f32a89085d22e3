import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded, type Database } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { companiesWithLimits, liftRateLimits, mintAccessTokens, repoRoot } from './credentials.ts';
import { benchCompanies, DATASET_VERSION, ensureBlueClerkDataset } from './dataset.ts';
import { opsbaseEnv } from './opsbase-server.ts';
import type { Profile } from './profile.ts';
import { step } from './progress.ts';

/**
 * Scenario f runs on the embedded database (PGlite in a worker behind a unix socket), which lives in a
 * data directory. Generating rows inside WebAssembly is slow, so the dataset is made once into a
 * template directory under bench/.work/ and each run copies it into a fresh temporary DATA_DIR, which
 * the server then owns; the template itself is never served.
 */
const TEMPLATES = path.join(repoRoot, 'bench/.work/embedded');
const READY_FILE = 'bench-template.json';

function templateDir(profile: Profile): string {
  return path.join(TEMPLATES, `${profile.name}-${DATASET_VERSION}`);
}

async function makeTemplate(profile: Profile, dir: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const db = await openEmbedded(dir, 'cli');
  let needLimits: string[];
  try {
    await migrate(db.pool);
    await ensureBlueClerkDataset(db.pool, profile.embeddedDataset, `the embedded template ${path.relative(repoRoot, dir)}`);
    const companies = Object.values(benchCompanies());
    // Makes the bench person, app and grants; the tokens themselves are minted again on each run.
    await mintAccessTokens(db.orm, companies);
    needLimits = await companiesWithLimits(db.orm, companies);
  } finally {
    await db.close();
  }
  // With the template closed, the command owns the data directory for its moment.
  liftRateLimits(needLimits, opsbaseEnv({ DATA_DIR: dir }));
  fs.writeFileSync(path.join(dir, READY_FILE), JSON.stringify({ version: DATASET_VERSION, size: profile.embeddedDataset, seconds: (Date.now() - started) / 1000 }));
}

export interface EmbeddedDataDir {
  dataDir: string;
  remove(): void;
}

/** A fresh DATA_DIR holding the embedded dataset of this profile (the template made first if needed). */
export async function embeddedDataDir(profile: Profile): Promise<EmbeddedDataDir> {
  const template = templateDir(profile);
  const ready = path.join(template, READY_FILE);
  const matches = fs.existsSync(ready) && JSON.stringify((JSON.parse(fs.readFileSync(ready, 'utf8')) as { size: unknown }).size) === JSON.stringify(profile.embeddedDataset);
  if (!matches) await makeTemplate(profile, template);
  else step(`embedded dataset template ${path.relative(repoRoot, template)}: reused`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbase-bench-embedded-'));
  // The lock and socket of the process that made the template are not copied.
  const skip = new Set(['opsbase.lock', 'run', READY_FILE]);
  fs.cpSync(template, dataDir, { recursive: true, filter: (source) => !skip.has(path.relative(template, source).split(path.sep)[0]!) });
  return { dataDir, remove: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

/** Borrows a running server's embedded database (its socket), as the CLI does. */
export function borrowEmbedded(dataDir: string): Promise<Database> {
  return openEmbedded(dataDir, 'cli');
}
