import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A delivery as the receiving endpoint saw it: exact body bytes and headers. */
export interface Receipt {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A real HTTP endpoint on 127.0.0.1 that records every request and answers as `respond` says (by
 * default 200). `waitFor(n)` resolves once n requests have arrived.
 */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  respond: (receipt: Receipt, index: number) => Reply = () => ({ status: 200, body: 'ok' });
  private readonly server: http.Server;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const receipt: Receipt = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const index = this.receipts.push(receipt) - 1;
        for (const waiter of this.waiters.filter((w) => this.receipts.length >= w.count)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        const reply = this.respond(receipt, index);
        if (reply === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        const send = () => res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.receipts.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${this.receipts.length} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
