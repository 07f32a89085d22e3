/**
 * The two sizes of a bench run. `--quick` must finish within 3 minutes and the full run within 15
 * (issue 7), dataset and peer installs already in place; the dataset is made once and reused.
 */
export interface DatasetSize {
  companies: number;
  tickets: number;
  jobs: number;
  /** Share of the tickets and jobs that belong to the first company, the one the reads hit (so its list is deep). */
  bigCompanyShare: number;
  /** Clevertim contacts in all, spread like the jobs (made only while the Clevertim API is mounted). */
  clevertimContacts: number;
}

export interface Profile {
  name: 'quick' | 'full';
  /** The PostgreSQL server dataset (scenarios a to e). */
  dataset: DatasetSize;
  /** The smaller dataset of scenario f, on the embedded database. */
  embeddedDataset: DatasetSize;
  /** Seconds each load measures, after a warm-up of `warmupSeconds` that is not counted. */
  durationSeconds: number;
  warmupSeconds: number;
  /** Seconds of each request of a server's first warm-up, right after it starts (JIT, pools, lazy set-up). */
  serverWarmupSeconds: number;
  connections: number;
  webhooks: { burstEvents: number; steadyRate: number; steadySeconds: number };
  /** Scenarios baseline (ii), the ceiling, is measured for (the quick run keeps to three, for time). */
  ceilingScenarios: string[] | 'all';
}

const QUICK: Profile = {
  name: 'quick',
  dataset: { companies: 100, tickets: 50_000, jobs: 50_000, bigCompanyShare: 0.2, clevertimContacts: 50_000 },
  embeddedDataset: { companies: 10, tickets: 5_000, jobs: 5_000, bigCompanyShare: 0.5, clevertimContacts: 0 },
  durationSeconds: 3,
  warmupSeconds: 0,
  serverWarmupSeconds: 1,
  connections: 50,
  webhooks: { burstEvents: 1_000, steadyRate: 100, steadySeconds: 3 },
  ceilingScenarios: ['a', 'b-first', 'c-fresh'],
};

const FULL: Profile = {
  name: 'full',
  dataset: { companies: 100, tickets: 500_000, jobs: 500_000, bigCompanyShare: 0.2, clevertimContacts: 200_000 },
  embeddedDataset: { companies: 20, tickets: 50_000, jobs: 50_000, bigCompanyShare: 0.5, clevertimContacts: 0 },
  durationSeconds: 10,
  warmupSeconds: 2,
  serverWarmupSeconds: 2,
  connections: 50,
  webhooks: { burstEvents: 10_000, steadyRate: 200, steadySeconds: 10 },
  ceilingScenarios: 'all',
};

export interface BenchOptions {
  profile: Profile;
  /** Run the Opsbase server of scenarios a to e under `node --cpu-prof` and summarise where its time went. */
  cpuProfile: boolean;
}

export function optionsFrom(argv: string[]): BenchOptions {
  const known = ['--quick', '--cpu-prof'];
  const unknown = argv.filter((arg) => !known.includes(arg));
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown[0]}; the bench takes --quick and --cpu-prof (see bench/README.md)`);
  return { profile: argv.includes('--quick') ? QUICK : FULL, cpuProfile: argv.includes('--cpu-prof') };
}
