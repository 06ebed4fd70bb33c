/** Severity levels, quietest last. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "off";

/** Anything with console-like methods, e.g. `console`, pino or winston. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

/** A logger that drops everything below `level`; callers never pass secrets to it. */
export class LevelLogger {
  readonly #sink: Logger;
  readonly #min: number;

  constructor(sink: Logger, level: LogLevel) {
    this.#sink = sink;
    this.#min = RANK[level];
  }

  enabled(level: Exclude<LogLevel, "off">): boolean {
    return RANK[level] >= this.#min;
  }

  log(level: Exclude<LogLevel, "off">, message: string, data?: Record<string, unknown>): void {
    if (RANK[level] >= this.#min) this.#sink[level](`[hellojohn] ${message}`, data);
  }
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "off"];
