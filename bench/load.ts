import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import type { Profile } from './profile.ts';
import { RssSampler } from './processes.ts';

/**
 * One measured load: autocannon on 127.0.0.1 against one server for a fixed time with a fixed number of
 * connections, after an uncounted warm-up (JIT, connection pools, caches). Before any load, one request
 * of the same shape is sent and its status checked, so a misconfigured scenario is reported as such
 * instead of measuring how fast a server answers 401.
 */
export interface LoadRequest {
  method: 'GET' | 'POST';
  /** A fixed path, or one made for every request (random ids). */
  path: string | (() => string);
  headers?: Record<string, string>;
  /** Made for every request when a function (fresh Idempotency-Keys). */
  body?: string;
  /** Headers added per request (a fresh Idempotency-Key). */
  perRequestHeaders?: () => Record<string, string>;
  /** Headers made once per connection and sent on each of its requests (one Idempotency-Key per connection). */
  perConnectionHeaders?: () => Record<string, string>;
  /** The status a correct answer has. */
  expectStatus: number;
}

export interface Measurement {
  scenario: string;
  target: string;
  /** Requests per second over the measured time (all answers, whatever their status). */
  requestsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Connection errors and timeouts plus answers that were not 2xx. */
  errors: number | null;
  requests: number | null;
  statusCodes: Record<string, number>;
  /** Peak resident memory of the server (its whole process tree) during the measured time. */
  serverRssMb: number | null;
  /** Why there is no figure (a peer that cannot run here, a scenario whose API is not mounted). */
  skipped?: string;
  note?: string;
}

export function skipped(scenario: string, target: string, reason: string): Measurement {
  return { scenario, target, requestsPerSecond: null, p50Ms: null, p99Ms: null, errors: null, requests: null, statusCodes: {}, serverRssMb: null, skipped: reason };
}

const pathOf = (request: LoadRequest) => (typeof request.path === 'function' ? request.path() : request.path);

/** Sends one request like the load will; returns the body, or throws naming the status and body it got instead. */
export async function preflight(baseUrl: string, request: LoadRequest): Promise<string> {
  const res = await fetch(`${baseUrl}${pathOf(request)}`, {
    method: request.method,
    headers: { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers, ...request.perRequestHeaders?.(), ...request.perConnectionHeaders?.() },
    body: request.body,
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.text();
  if (res.status !== request.expectStatus) throw new Error(`answered ${res.status} instead of ${request.expectStatus}: ${body.slice(0, 300)}`);
  return body;
}

function autocannonRequest(request: LoadRequest): AutocannonRequest {
  const headers = { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers };
  const base: AutocannonRequest = { method: request.method, path: typeof request.path === 'string' ? request.path : '/', headers, body: request.body };
  const dynamicPath = typeof request.path === 'function' ? request.path : null;
  const perRequestHeaders = request.perRequestHeaders;
  const perConnectionHeaders = request.perConnectionHeaders;
  if (!dynamicPath && !perRequestHeaders && !perConnectionHeaders) return base;
  return {
    ...base,
    // `context` is autocannon's per-connection object.
    setupRequest(req, context) {
      if (dynamicPath) req.path = dynamicPath();
      if (perConnectionHeaders) context.headers ??= { ...headers, ...perConnectionHeaders() };
      if (perRequestHeaders || perConnectionHeaders) req.headers = { ...((context.headers as Record<string, string> | undefined) ?? headers), ...perRequestHeaders?.() };
      return req;
    },
  };
}

function run(url: string, request: LoadRequest, seconds: number, connections: number, overallRate?: number): Promise<AutocannonResult> {
  return Promise.resolve(autocannon({ url, connections, duration: seconds, timeout: 10, requests: [autocannonRequest(request)], ...(overallRate ? { overallRate } : {}) }));
}

export interface LoadTarget {
  name: string;
  url: string;
  pid: number;
}

/**
 * A freshly started server is slower for its first seconds (JIT, lazily built serializers, pools
 * filling); each server gets the same short mixed warm-up before its first measurement, so the first
 * scenario is not the one that pays for it.
 */
export async function warmUp(target: LoadTarget, requests: LoadRequest[], profile: Profile): Promise<void> {
  for (const request of requests) {
    try {
      await preflight(target.url, request);
    } catch {
      continue; // reported by the measurement itself
    }
    await run(target.url, request, profile.serverWarmupSeconds, profile.connections);
  }
}

export async function measure(scenario: string, target: LoadTarget, request: LoadRequest, profile: Profile, options: { overallRate?: number; note?: string } = {}): Promise<Measurement> {
  try {
    await preflight(target.url, request);
  } catch (error) {
    return { ...skipped(scenario, target.name, `preflight request failed: ${error instanceof Error ? error.message : String(error)}`) };
  }
  if (profile.warmupSeconds > 0) await run(target.url, request, profile.warmupSeconds, profile.connections, options.overallRate);
  const sampler = new RssSampler(target.pid);
  const result = await run(target.url, request, profile.durationSeconds, profile.connections, options.overallRate);
  const serverRssMb = sampler.stop();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, Number(stat.count)]));
  const requests = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
  return {
    scenario,
    target: target.name,
    requestsPerSecond: Math.round(requests / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    requests,
    statusCodes,
    serverRssMb,
    ...(options.note ? { note: options.note } : {}),
  };
}
