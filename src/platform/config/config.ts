import path from 'node:path';

/**
 * Process configuration, read once from the environment and validated up front so that a typo
 * fails at start with the variable's name instead of surfacing later as odd behaviour.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** When set, rate-limit counters are shared through Redis (exact across nodes) instead of PostgreSQL batches. */
  redisUrl: string | undefined;
  publicUrl: string;
  logLevel: LogLevel;
  demo: boolean;
  /** Secure cookies only make sense when the public URL is https. */
  secureCookies: boolean;
  /**
   * Which proxies may name the client address (X-Forwarded-For): false, true (any), a hop count, or a
   * list of addresses/CIDRs. Behind a load balancer this keeps per-address sign-in throttling per client.
   */
  trustProxy: boolean | number | string[];
  webhooks: WebhookConfig;
}

/** Outgoing webhook deliveries (src/platform/webhooks). */
export interface WebhookConfig {
  /**
   * Delay before each attempt, in milliseconds: the first is relative to the event (always 0: the seed's
   * "immediate"), each later one to the failure before it. Dead after the last attempt fails.
   */
  retryScheduleMs: number[];
  /** Allow deliveries to loopback, private, link-local and other non-public addresses (development, tests). */
  allowPrivate: boolean;
  /** Accept and deliver to https URLs only (not even http://localhost). */
  httpsOnly: boolean;
  /** Concurrent delivery loops on this node; 0 leaves delivery to other nodes. */
  workers: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parsePort(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 3000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 0 to 65535 (got "${raw}")`);
  }
  return Number(raw);
}

function parseHost(env: NodeJS.ProcessEnv): string {
  const raw = env.HOST ?? '';
  if (raw === '') return '127.0.0.1';
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(raw)) throw new ConfigError('HOST', `is not a host name or address (got "${raw}")`);
  return raw;
}

function parseUrl(variable: string, raw: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `is not a valid URL (got "${raw}")`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(variable, `must use ${protocols.map((p) => p.replace(':', '')).join(' or ')} (got "${url.protocol.replace(':', '')}")`);
  }
  return url;
}

function parseFlag(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(variable, `must be 1 or 0 (got "${raw}")`);
}

const ADDRESS_OR_CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/;

function parseTrustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw.trim() === '') return false;
  const value = raw.trim().toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.find((entry) => !ADDRESS_OR_CIDR.test(entry));
  if (bad !== undefined) {
    throw new ConfigError('TRUST_PROXY', `must be 0, true, a hop count or a comma-separated list of addresses/CIDRs (got "${bad}")`);
  }
  return entries;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_RETRY_DELAY_MS = 7 * 24 * 3_600_000;

function parseRetrySchedule(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [0, 60_000, 5 * 60_000, 30 * 60_000];
  const entries = raw.split(',').map((entry) => entry.trim());
  const delays = entries.map((entry) => {
    const match = DURATION.exec(entry);
    if (!match) throw new ConfigError('WEBHOOK_RETRY_SCHEDULE', `must be a comma-separated list of delays such as 0s,1m,5m,30m (got "${entry}")`);
    const ms = Number(match[1]) * DURATION_MS[match[2]!]!;
    if (ms > MAX_RETRY_DELAY_MS) throw new ConfigError('WEBHOOK_RETRY_SCHEDULE', `delays must be at most 7 days (got "${entry}")`);
    return ms;
  });
  if (delays.length > 20) throw new ConfigError('WEBHOOK_RETRY_SCHEDULE', `may list at most 20 attempts (got ${delays.length})`);
  if (delays[0] !== 0) throw new ConfigError('WEBHOOK_RETRY_SCHEDULE', `must start with 0s: the first attempt is immediate (got "${entries[0]}")`);
  return delays;
}

function parseWorkerCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 2;
  if (!/^\d+$/.test(raw) || Number(raw) > 32) throw new ConfigError('WEBHOOK_WORKERS', `must be a whole number from 0 to 32 (got "${raw}")`);
  return Number(raw);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env);
  const host = parseHost(env);
  const dataDir = path.resolve(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data');

  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined;
  if (databaseUrl) parseUrl('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);

  const redisUrl = env.REDIS_URL && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  if (redisUrl) parseUrl('REDIS_URL', redisUrl, ['redis:', 'rediss:']);

  let publicUrl: string;
  if (env.PUBLIC_URL && env.PUBLIC_URL !== '') {
    const url = parseUrl('PUBLIC_URL', env.PUBLIC_URL, ['http:', 'https:']);
    if (url.search || url.hash) throw new ConfigError('PUBLIC_URL', 'must not carry a query or fragment');
    publicUrl = url.toString().replace(/\/+$/, '');
  } else {
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    publicUrl = `http://${shownHost}:${port}`;
  }

  const logLevelRaw = (env.LOG_LEVEL ?? '').toLowerCase();
  if (logLevelRaw !== '' && !LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }
  const logLevel = (logLevelRaw || 'info') as LogLevel;

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    redisUrl,
    publicUrl,
    logLevel,
    demo: parseFlag('OPSBASE_DEMO', env.OPSBASE_DEMO, true),
    secureCookies: publicUrl.startsWith('https:'),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    webhooks: {
      retryScheduleMs: parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
      allowPrivate: parseFlag('WEBHOOK_ALLOW_PRIVATE', env.WEBHOOK_ALLOW_PRIVATE, false),
      httpsOnly: parseFlag('WEBHOOK_HTTPS_ONLY', env.WEBHOOK_HTTPS_ONLY, false),
      workers: parseWorkerCount(env.WEBHOOK_WORKERS),
    },
  };
}
