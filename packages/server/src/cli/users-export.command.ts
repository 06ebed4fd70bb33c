import { open, readFile, rename, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { Progress, type ProgressOutput } from "./progress.js";
import type { TargetIdentity, TransferTarget } from "./transfer-target.js";

/** Options of `hellojohn-server users export`. */
export interface ExportCommandOptions {
  file: string;
  target: TransferTarget;
  withPasswordHashes?: boolean;
  /** Users read, written and checkpointed together. Default 1000 (through the API, at most 100). */
  pageSize?: number;
  /** Where the checkpoint is kept between runs. Default `FILE.export-state.json`. */
  stateFile?: string;
  /** Ignore a checkpoint and write the file from its first user. */
  restart?: boolean;
  /**
   * Least time between checkpoints (each flushes the file to disk first).
   * Default 1000 ms; 0 checkpoints after every page. A crash redoes at most this much work.
   */
  checkpointIntervalMs?: number;
  progressIntervalMs?: number;
  out?: ProgressOutput;
  err?: ProgressOutput;
  /** Set when the run should stop after the page in flight (Ctrl-C). */
  stopSignal?: { stopped: boolean };
}

/** The outcome of a run. */
export interface ExportSummary {
  /** Users in the file, from this run and the interrupted ones before it. */
  users: number;
  /** Users already in the file from an interrupted run (0 when it started afresh). */
  resumedFrom: number;
  /** Bytes after the last checkpoint that were dropped and written again (a torn line, a page in flight). */
  droppedBytes: number;
  interrupted: boolean;
  stateFile: string;
}

/**
 * The checkpoint: which export this is (the flags it ran with) and how far its
 * file is complete. Saved between pages once the file is on disk, so every
 * byte before `bytes` is whole users, in order.
 */
interface ExportState {
  format: typeof STATE_FORMAT;
  version: 1;
  target: TargetIdentity["kind"];
  location: string;
  tenant_id: string;
  with_password_hashes: boolean;
  started_at: string;
  /** The file's complete prefix: this many bytes hold `users` whole lines. */
  bytes: number;
  users: number;
  /** The ID on the line that ends at `bytes` (null before the first page). */
  last_id: string | null;
  /** Where the next page starts (the target's opaque position; null: from the first user). */
  position: string | null;
  /** Every user is in the file; only the checkpoint's removal was left to do. */
  complete: boolean;
}

const STATE_FORMAT = "hellojohn-users-export-checkpoint";

/** An export cannot resume: the message says why and what to do. */
export class ExportResumeError extends Error {
  override name = "ExportResumeError";
}

const count = (n: number): string => n.toLocaleString("en-US");

async function readState(stateFile: string): Promise<ExportState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let state: Partial<ExportState>;
  try {
    state = JSON.parse(text) as Partial<ExportState>;
  } catch {
    throw new ExportResumeError(`${stateFile} is not an export checkpoint (not JSON); remove it or pass --restart to start the export over`);
  }
  const valid =
    typeof state === "object" &&
    state !== null &&
    state.format === STATE_FORMAT &&
    state.version === 1 &&
    (state.target === "database" || state.target === "api") &&
    typeof state.location === "string" &&
    typeof state.tenant_id === "string" &&
    typeof state.with_password_hashes === "boolean" &&
    Number.isSafeInteger(state.bytes) &&
    (state.bytes ?? -1) >= 0 &&
    Number.isSafeInteger(state.users) &&
    (state.users ?? -1) >= 0 &&
    (state.last_id === null || typeof state.last_id === "string") &&
    (state.position === null || typeof state.position === "string") &&
    typeof state.complete === "boolean";
  if (!valid) throw new ExportResumeError(`${stateFile} is not an export checkpoint this version understands; remove it or pass --restart to start the export over`);
  return state as ExportState;
}

/** The flags of the interrupted run that this one does not repeat, worded for the error. */
function differences(saved: ExportState, identity: TargetIdentity, withHashes: boolean): string[] {
  const where = (kind: string, location: string): string => (kind === "api" ? `the server at ${location} (--api-url)` : `the database ${location} (--database-url)`);
  const out: string[] = [];
  if (saved.target !== identity.kind || saved.location !== identity.location) {
    out.push(`it read ${where(saved.target, saved.location)}, this run reads ${where(identity.kind, identity.location)}`);
  }
  if (saved.tenant_id !== identity.tenantId) out.push(`it exported tenant ${saved.tenant_id} (--tenant), this run tenant ${identity.tenantId}`);
  if (saved.with_password_hashes !== withHashes) {
    out.push(saved.with_password_hashes ? "it ran with --with-password-hashes, this run without" : "it ran without --with-password-hashes, this run with it");
  }
  return out;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** Whether a line is one a `users export` writes: a JSON object with a user ID, a creation time and memberships. */
function exportedLine(line: string): { id: string } | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const user = value as Record<string, unknown>;
    if (typeof user.id !== "string" || !user.id.startsWith("usr_") || typeof user.created_at !== "string" || !Array.isArray(user.memberships)) return undefined;
    return { id: user.id };
  } catch {
    return undefined;
  }
}

/** The ID on the line that ends (with its newline) at `end`; undefined when that is not a line of an export. */
async function idOfLineEndingAt(fh: FileHandle, end: number): Promise<string | undefined> {
  const window = 64 * 1024;
  let start = end;
  let tail = Buffer.alloc(0);
  // Back from `end` until the newline before the line (or the start of the file); a user's line is far shorter than 16 MB.
  while (start > 0 && end - start < 16 * 1024 * 1024) {
    const from = Math.max(0, start - window);
    tail = Buffer.concat([await readAt(fh, from, start - from), tail]);
    start = from;
    const body = tail.subarray(0, tail.length - 1);
    if (body.lastIndexOf(0x0a) !== -1) break;
  }
  if (tail[tail.length - 1] !== 0x0a) return undefined;
  const body = tail.subarray(0, tail.length - 1);
  const line = body.subarray(body.lastIndexOf(0x0a) + 1).toString("utf8");
  return exportedLine(line)?.id;
}

/**
 * Checks the bytes after the checkpoint: whole lines must be users as an
 * export writes them (else the file is not this export's), a last line
 * without its newline is what a crash tore. Returns how many whole lines there are.
 */
async function linesAfter(fh: FileHandle, from: number, size: number, file: string): Promise<number> {
  let lines = 0;
  let pending: Buffer = Buffer.alloc(0);
  for (let at = from; at < size; ) {
    const chunk = await readAt(fh, at, Math.min(1024 * 1024, size - at));
    if (chunk.length === 0) break;
    at += chunk.length;
    let data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
      if (exportedLine(data.subarray(0, nl).toString("utf8")) === undefined) {
        throw new ExportResumeError(
          `${file} has a line after its checkpoint that is not a user as \`users export\` writes them: it is not the file the interrupted export was writing. Pass --restart to write it from the start, or export to another file`,
        );
      }
      lines++;
      data = data.subarray(nl + 1);
    }
    pending = Buffer.from(data);
  }
  return lines;
}

async function saveState(stateFile: string, state: ExportState): Promise<void> {
  await writeFile(`${stateFile}.tmp`, JSON.stringify(state));
  await rename(`${stateFile}.tmp`, stateFile);
}

async function writeAll(fh: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length; ) {
    const { bytesWritten } = await fh.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes every user with their memberships as NDJSON, streaming: a page of
 * users is read, written and let go, so memory stays flat. Password hashes
 * only with `withPasswordHashes` (the file is then readable by its owner only).
 *
 * Resumable: after each page is on disk a checkpoint (`FILE.export-state.json`)
 * records the flags of the run, how many bytes of the file are whole users and
 * where the next page starts. Running the same command again after Ctrl-C or a
 * crash cuts the file back to the checkpoint (dropping a torn last line and any
 * page written after it), and goes on from there: every user appears once, in
 * order. A run whose flags differ from the interrupted one's, or a file that is
 * not the one the checkpoint describes, is refused with {@link ExportResumeError}.
 * The checkpoint is removed when the export is complete.
 */
export async function exportUsers(options: ExportCommandOptions): Promise<ExportSummary> {
  const { file, target } = options;
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const withHashes = options.withPasswordHashes === true;
  const stateFile = options.stateFile ?? `${file}.export-state.json`;
  const identity = target.identity;
  if (withHashes && identity.kind === "api") {
    throw new Error("--with-password-hashes works only against the database (--database-url): the API never returns password hashes");
  }

  const saved = options.restart === true ? undefined : await readState(stateFile);
  if (saved !== undefined) {
    const differ = differences(saved, identity, withHashes);
    if (differ.length > 0) {
      throw new ExportResumeError(
        `${file} is an interrupted export that this run cannot resume: ${differ.join("; ")}. Run it again with the same flags to resume, or pass --restart to start the file over.`,
      );
    }
  }

  let fh: FileHandle;
  let state: ExportState;
  let droppedBytes = 0;
  if (saved !== undefined) {
    try {
      fh = await open(file, "r+");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new ExportResumeError(`${stateFile} records an interrupted export to ${file}, but ${file} is gone. Pass --restart to export from the start.`);
    }
    try {
      const size = (await fh.stat()).size;
      if (size < saved.bytes) {
        throw new ExportResumeError(
          `${file} is shorter (${count(size)} bytes) than its checkpoint says it was (${count(saved.bytes)}): it was cut or replaced since the interrupted export. Pass --restart to write it from the start.`,
        );
      }
      if (saved.bytes > 0 && (await idOfLineEndingAt(fh, saved.bytes)) !== saved.last_id) {
        throw new ExportResumeError(
          `${file} is not the file the interrupted export was writing (its line at the checkpoint is not user ${saved.last_id ?? "?"}). Pass --restart to write it from the start, or export to another file.`,
        );
      }
      const extraLines = await linesAfter(fh, saved.bytes, size, file);
      droppedBytes = size - saved.bytes;
      if (droppedBytes > 0) {
        await fh.truncate(saved.bytes);
        await fh.datasync();
      }
      if (withHashes) await fh.chmod(0o600);
      out.write(
        `Resuming ${file} after user ${count(saved.users)}` +
          (droppedBytes > 0 ? ` (its last checkpoint; ${count(extraLines)} whole users and ${count(droppedBytes)} bytes written after it are dropped and read again)` : "") +
          "\n",
      );
    } catch (error) {
      await fh.close();
      throw error;
    }
    state = saved;
  } else {
    fh = await open(file, "w", withHashes ? 0o600 : 0o644);
    // The mode only applies to a new file: an existing one is made private here too.
    if (withHashes) await fh.chmod(0o600);
    state = {
      format: STATE_FORMAT,
      version: 1,
      target: identity.kind,
      location: identity.location,
      tenant_id: identity.tenantId,
      with_password_hashes: withHashes,
      started_at: new Date().toISOString(),
      bytes: 0,
      users: 0,
      last_id: null,
      position: null,
      complete: false,
    };
    await saveState(stateFile, state);
  }
  if (withHashes) err.write(`WARNING: ${file} will contain password hashes. Keep it secret, move it encrypted, and delete it after the import.\n`);

  const resumedFrom = state.users;
  let interrupted = false;
  try {
    const total = await target.count();
    const fraction = (users: number): number | undefined => (total === undefined || total === 0 ? undefined : users / total);
    const progress = new Progress(err, "export", { intervalMs: options.progressIntervalMs, startRows: state.users });
    const every = options.checkpointIntervalMs ?? 1000;
    let checkpointed = performance.now();
    // Where the file is written up to; the checkpoint (`state`) follows it at most every `every` ms.
    const written = { ...state };
    if (!written.complete) {
      for await (const page of target.export({ withPasswordHashes: withHashes, after: written.position, pageSize: options.pageSize })) {
        if (page.users.length > 0) {
          const buffer = Buffer.from(page.users.map((user) => `${JSON.stringify(user)}\n`).join(""), "utf8");
          await writeAll(fh, buffer, written.bytes);
          written.bytes += buffer.length;
          written.users += page.users.length;
          written.last_id = page.users[page.users.length - 1]?.id ?? written.last_id;
        }
        written.position = page.next ?? written.position;
        written.complete = page.next === null;
        const stop = options.stopSignal?.stopped === true && !written.complete;
        if (stop || performance.now() - checkpointed >= every) {
          // On disk before the checkpoint points past it: a crash never leaves a checkpoint ahead of the file.
          await fh.datasync();
          state = { ...written };
          await saveState(stateFile, state);
          checkpointed = performance.now();
        }
        progress.update(written.users, fraction(written.users));
        if (stop) {
          interrupted = true;
          break;
        }
      }
    }
    state = { ...written };
    progress.update(state.users, interrupted ? fraction(state.users) : 1);
    progress.finish();
  } catch (error) {
    // A lost connection, a database error: the checkpoint stays, and says how to go on.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message} (${file} holds ${count(state.users)} whole users up to its checkpoint; run the same command again to resume)`, { cause: error });
  } finally {
    await fh.close();
  }
  if (!interrupted) await unlink(stateFile).catch(() => undefined);
  return { users: state.users, resumedFrom, droppedBytes, interrupted, stateFile };
}
