/** Where progress goes: a stream, and whether it is a terminal. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const number = (n: number): string => Math.round(n).toLocaleString("en-US");

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * Rows done, rate and ETA: a bar redrawn in place on a terminal, a plain line
 * every `intervalMs` otherwise (logs, CI, pipes).
 */
export class Progress {
  readonly #out: ProgressOutput;
  readonly #label: string;
  readonly #intervalMs: number;
  readonly #started = performance.now();
  #startFraction: number | undefined;
  #lastDraw = -Infinity;
  #rows = 0;
  #startRows = 0;
  #fraction: number | undefined;
  #drawnRows = -1;

  constructor(out: ProgressOutput, label: string, options: { intervalMs?: number; startRows?: number } = {}) {
    this.#out = out;
    this.#label = label;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#rows = this.#startRows = options.startRows ?? 0;
  }

  get tty(): boolean {
    return this.#out.isTTY === true;
  }

  /** Records progress: rows done so far (this run and before it) and, when known, the fraction of the work done. */
  update(rows: number, fraction?: number): void {
    this.#rows = rows;
    this.#fraction = fraction === undefined ? undefined : Math.min(1, Math.max(0, fraction));
    this.#startFraction ??= this.#fraction;
    const now = performance.now();
    const every = this.tty ? 100 : this.#intervalMs;
    if (now - this.#lastDraw < every) return;
    this.#lastDraw = now;
    this.#draw();
  }

  #stats(): { rate: number; eta: number; percent: string } {
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? (this.#rows - this.#startRows) / seconds : 0;
    const f = this.#fraction;
    const f0 = this.#startFraction ?? 0;
    const eta = f === 1 ? 0 : f === undefined || f <= f0 ? Number.NaN : (seconds * (1 - f)) / (f - f0);
    return { rate, eta, percent: f === undefined ? "" : `${(f * 100).toFixed(0)}%` };
  }

  #draw(): void {
    this.#drawnRows = this.#rows;
    const { rate, eta, percent } = this.#stats();
    if (this.tty) {
      const width = 24;
      const filled = Math.round((this.#fraction ?? 0) * width);
      const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
      this.#out.write(`\r\x1b[K${this.#label} ${bar} ${percent.padStart(4)} ${number(this.#rows)} rows · ${number(rate)} rows/s · ETA ${duration(eta)}`);
    } else {
      this.#out.write(`${this.#label}: ${number(this.#rows)} rows${percent === "" ? "" : ` (${percent})`}, ${number(rate)} rows/s, ETA ${duration(eta)}\n`);
    }
  }

  /** Draws the final state and ends the bar's line. */
  finish(): void {
    if (this.tty || this.#drawnRows !== this.#rows) this.#draw();
    if (this.tty) this.#out.write("\n");
  }

  /** Seconds since the start. */
  get elapsedSeconds(): number {
    return (performance.now() - this.#started) / 1000;
  }
}
