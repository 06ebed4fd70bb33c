import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { readerFor, type ReaderOptions } from "../import/readers.js";
import type { ImportRecord, ImportSource } from "../import/import-record.js";
import type { ImportUserInput } from "../contract/wire.js";
import { MAX_IMPORT_BATCH } from "../services/user-transfer.service.js";
import { Progress, type ProgressOutput } from "./progress.js";
import type { TransferTarget } from "./transfer-target.js";

/** Options of `hellojohn-server users import`. */
export interface ImportCommandOptions {
  source: ImportSource;
  file: string;
  target: TransferTarget;
  reader?: ReaderOptions;
  /** Users per request/transaction. Default 500. */
  batchSize?: number;
  /** Refused rows, one JSON object a line. Default `FILE.refused.ndjson`. */
  reportFile?: string;
  /** Where the position is kept between runs. Default `FILE.import-state.json`. */
  stateFile?: string;
  /** Ignore a saved position and start from the first record. */
  restart?: boolean;
  /** Seconds between plain progress lines when not on a terminal. Default 5. */
  progressIntervalMs?: number;
  out?: ProgressOutput;
  err?: ProgressOutput;
  /** Resolves when the run should stop after the batch in flight (Ctrl-C). */
  stopSignal?: { stopped: boolean };
}

/** Saved after every committed batch, so a rerun goes on where the last one stopped. */
interface ImportState {
  version: 1;
  source: ImportSource;
  size: number;
  mtimeMs: number;
  records_done: number;
  created: number;
  skipped: number;
  refused: number;
}

/** The outcome of a run. */
export interface ImportSummary {
  created: number;
  skipped: number;
  refused: number;
  records: number;
  resumedFrom: number;
  interrupted: boolean;
  reportFile: string;
}

/** Upper bound of a batch's JSON body, well under the endpoint's limit. */
const BATCH_BYTES = 2 * 1024 * 1024;

async function* decoded(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  stream.setEncoding("utf8");
  for await (const chunk of stream) yield chunk as string;
}

function writeLines(stream: WriteStream, lines: string[]): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => stream.write(lines.join(""), (error) => (error ? reject(error) : resolve())));
}

/**
 * Streams an export file into HelloJohn in batches, each one transaction (or
 * one idempotent request). Refused rows go to the report file; the position is
 * saved after each batch, so an interrupted run (Ctrl-C, a crash) is resumed by
 * running the same command again, and users already imported are skipped,
 * never duplicated.
 */
export async function importUsers(options: ImportCommandOptions): Promise<ImportSummary> {
  const { file, source, target } = options;
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const batchSize = Math.min(options.batchSize ?? 500, MAX_IMPORT_BATCH);
  const reportFile = options.reportFile ?? `${file}.refused.ndjson`;
  const stateFile = options.stateFile ?? `${file}.import-state.json`;
  const info = await stat(file);
  const fileKey = createHash("sha256").update(`${source}\n${file}\n${info.size}\n${info.mtimeMs}`).digest("hex").slice(0, 24);

  let state: ImportState = { version: 1, source, size: info.size, mtimeMs: info.mtimeMs, records_done: 0, created: 0, skipped: 0, refused: 0 };
  if (options.restart !== true) {
    const saved = await readFile(stateFile, "utf8").then(
      (t) => JSON.parse(t) as ImportState,
      () => undefined,
    );
    if (saved !== undefined) {
      if (saved.source !== source || saved.size !== info.size || saved.mtimeMs !== info.mtimeMs) {
        throw new Error(`${stateFile} records an import of another file or format; pass --restart to start over`);
      }
      state = saved;
    }
  }
  const resumedFrom = state.records_done;
  if (resumedFrom > 0)
    out.write(`Resuming after record ${resumedFrom.toLocaleString("en-US")} (${state.created} created, ${state.skipped} skipped, ${state.refused} refused so far)\n`);
  const report = createWriteStream(reportFile, { flags: resumedFrom > 0 ? "a" : "w" });
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const progress = new Progress(err, `import ${source}`, { intervalMs: options.progressIntervalMs, startRows: state.records_done });

  let batch: { record: number; user: ImportUserInput }[] = [];
  let held: ImportRecord[] = [];
  let batchBytes = 0;
  let lastRecord = state.records_done;

  const saveState = async (): Promise<void> => {
    await writeFile(`${stateFile}.tmp`, JSON.stringify(state));
    await rename(`${stateFile}.tmp`, stateFile);
  };
  const flush = async (): Promise<void> => {
    const lines: string[] = [];
    for (const r of held) if ("refusal" in r) lines.push(`${JSON.stringify({ record: r.record, email: null, ...r.refusal })}\n`);
    state.refused += held.length;
    if (batch.length > 0) {
      const first = batch[0]?.record ?? 0;
      const result = await target.import(
        batch.map((b) => b.user),
        `import-${fileKey}-${first}-${lastRecord}`,
      );
      state.created += result.created;
      state.skipped += result.skipped;
      state.refused += result.refused;
      for (const row of result.results) {
        if (row.status !== "refused" || row.error === null) continue;
        lines.push(`${JSON.stringify({ record: batch[row.index]?.record, email: row.email, ...row.error })}\n`);
      }
    }
    await writeLines(report, lines);
    state.records_done = lastRecord;
    await saveState();
    batch = [];
    held = [];
    batchBytes = 0;
    progress.update(state.records_done, input.bytesRead / Math.max(1, info.size));
  };

  let interrupted = false;
  try {
    for await (const record of readerFor(source, options.reader)(decoded(input))) {
      if (record.record <= resumedFrom) continue;
      lastRecord = record.record;
      if ("refusal" in record) held.push(record);
      else {
        batch.push(record);
        batchBytes += JSON.stringify(record.user).length;
      }
      if (batch.length >= batchSize || batchBytes >= BATCH_BYTES || held.length >= batchSize) {
        await flush();
        if (options.stopSignal?.stopped === true) {
          interrupted = true;
          break;
        }
      }
    }
    if (!interrupted) await flush();
  } finally {
    input.destroy();
    await new Promise<void>((resolve) => report.end(resolve));
  }
  progress.finish();
  if (!interrupted) await unlink(stateFile).catch(() => undefined);
  return { created: state.created, skipped: state.skipped, refused: state.refused, records: state.records_done, resumedFrom, interrupted, reportFile };
}
