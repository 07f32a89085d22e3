/**
 * Progress on stderr, so stdout keeps only the results table. On a terminal a bar redrawn in place; in
 * a log (not a TTY) one line per tenth, so the log stays short.
 */
export class ProgressBar {
  private done = 0;
  private lastTenth = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    this.draw();
  }

  advance(count: number): void {
    this.done = Math.min(this.total, this.done + count);
    this.draw();
  }

  finish(): void {
    this.done = this.total;
    this.draw();
    if (process.stderr.isTTY) process.stderr.write('\n');
  }

  private draw(): void {
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const counts = `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}`;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r  ${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${counts} ${seconds}s`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    process.stderr.write(`  ${this.label} ${tenth * 10}% ${counts} ${seconds}s\n`);
  }
}

const runStarted = Date.now();

/** A step of the run, on stderr, with the seconds since the run started. */
export function step(message: string): void {
  const seconds = Math.round((Date.now() - runStarted) / 1000);
  process.stderr.write(`» ${String(seconds).padStart(4)}s ${message}\n`);
}
