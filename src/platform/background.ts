/**
 * Long-running loops of this process (webhook workers, purges). Shutdown aborts their signal and waits
 * for the current iteration to finish, so a SIGTERM never cuts work off half-way.
 */
export class BackgroundWork {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<void>>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs `step` every `intervalMs` until stopped; a failing step is reported and the loop goes on. */
  every(name: string, intervalMs: number, step: (signal: AbortSignal) => Promise<void>, onError: (name: string, error: unknown) => void): void {
    const signal = this.controller.signal;
    const loop = (async () => {
      while (!signal.aborted) {
        try {
          await step(signal);
        } catch (error) {
          onError(name, error);
        }
        await sleep(intervalMs, signal);
      }
    })();
    this.running.add(loop);
    void loop.finally(() => this.running.delete(loop));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.running]);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
