import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AddressRefused, guardedLookup, nonPublicReason, refusalFor } from './address-guard.ts';

/**
 * One HTTP attempt of a webhook delivery, made outside any database transaction. POST only; redirects
 * are never followed (a 3xx is a failure: following it would let a receiver bounce us to an address the
 * guard never saw); any 2xx acknowledges; the whole exchange is bounded by `timeoutMs`.
 */
export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  httpsOnly: boolean;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  /** The start of the response body, for the delivery log. */
  responseBody: string | null;
  /** Why the attempt failed when there is no status to tell (refused, timeout, connection error, redirect). */
  error: string | null;
}

/** How much of a response body is kept in the delivery log, and how much is read at most. */
export const LOGGED_BODY_CHARS = 1024;
const MAX_READ_BYTES = 64 * 1024;

export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const finish = (partial: Omit<SendResult, 'durationMs'>): SendResult => ({ ...partial, durationMs: Math.round(performance.now() - started) });
  const failure = (error: string) => finish({ ok: false, status: null, responseBody: null, error });

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure('refused: the URL is not valid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return failure(`refused: ${url.protocol} URLs are not delivered`);
  if (request.httpsOnly && url.protocol !== 'https:') return failure('refused: only https URLs are delivered (WEBHOOK_HTTPS_ONLY=1)');

  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address literal never goes through `lookup`, so it is judged here.
  if (!request.allowPrivate && net.isIP(host)) {
    const reason = nonPublicReason(host);
    if (reason) return failure(refusalFor(host, host, reason).message);
  }

  return new Promise<SendResult>((resolve) => {
    let settled = false;
    let status: number | null = null;
    const chunks: Buffer[] = [];
    let read = 0;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const responseText = () => (chunks.length ? Buffer.concat(chunks).toString('utf8').slice(0, LOGGED_BODY_CHARS) : '');
    let redirectNote: string | null = null;
    const settleWithStatus = () => {
      const code = status!;
      const ok = code >= 200 && code < 300;
      settle(finish({ ok, status: code, responseBody: responseText(), error: ok ? null : redirectNote ?? `HTTP ${code}` }));
    };

    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
        // A fresh connection per attempt: every attempt resolves and checks the address again.
        agent: false,
        ...(request.allowPrivate ? {} : { lookup: guardedLookup as unknown as net.LookupFunction }),
      },
      (res) => {
        status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          redirectNote = `HTTP ${status} redirect${res.headers.location ? ` to ${String(res.headers.location).slice(0, 200)}` : ''} not followed`;
        }
        res.on('data', (chunk: Buffer) => {
          if (read < MAX_READ_BYTES) chunks.push(chunk);
          read += chunk.length;
          if (read >= MAX_READ_BYTES) {
            settleWithStatus();
            res.destroy();
          }
        });
        res.on('end', settleWithStatus);
        res.on('error', settleWithStatus);
        res.on('close', settleWithStatus);
      },
    );
    const timer = setTimeout(() => {
      // The status decides: a receiver that answered 2xx but is slow to finish its body has acknowledged.
      if (status !== null) settleWithStatus();
      else settle(failure(`timed out after ${request.timeoutMs / 1000} s`));
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error: Error) => {
      if (status !== null) return settleWithStatus();
      settle(failure(error instanceof AddressRefused || (error as { code?: string }).code === 'WEBHOOK_ADDRESS_REFUSED' ? error.message : describeNetworkError(error)));
    });
    req.end(request.body);
  });
}

function describeNetworkError(error: Error): string {
  const code = (error as { code?: string }).code;
  const text = code ? `${code}: ${error.message}` : error.message;
  return `connection failed: ${text}`.slice(0, 300);
}
