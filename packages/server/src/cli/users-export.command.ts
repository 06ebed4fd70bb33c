import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { Progress, type ProgressOutput } from "./progress.js";
import type { TransferTarget } from "./transfer-target.js";

/** Options of `hellojohn-server users export`. */
export interface ExportCommandOptions {
  file: string;
  target: TransferTarget;
  withPasswordHashes?: boolean;
  progressIntervalMs?: number;
  err?: ProgressOutput;
  stopSignal?: { stopped: boolean };
}

/**
 * Writes every user with their memberships as NDJSON, streaming: a page of
 * users is read, written (waiting for the disk when it lags) and let go.
 * Password hashes only with `withPasswordHashes` (the file is then created
 * readable by its owner only).
 */
export async function exportUsers(options: ExportCommandOptions): Promise<{ users: number; interrupted: boolean }> {
  const err = options.err ?? process.stderr;
  const withHashes = options.withPasswordHashes === true;
  if (withHashes) err.write(`WARNING: ${options.file} will contain password hashes. Keep it secret, move it encrypted, and delete it after the import.\n`);
  const total = await options.target.count();
  const output = createWriteStream(options.file, { mode: withHashes ? 0o600 : 0o644 });
  const progress = new Progress(err, "export", { intervalMs: options.progressIntervalMs });
  let users = 0;
  let interrupted = false;
  try {
    for await (const user of options.target.export({ withPasswordHashes: withHashes })) {
      if (!output.write(`${JSON.stringify(user)}\n`)) await once(output, "drain");
      users++;
      if (users % 500 === 0) {
        progress.update(users, total === undefined || total === 0 ? undefined : users / total);
        if (options.stopSignal?.stopped === true) {
          interrupted = true;
          break;
        }
      }
    }
  } finally {
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  progress.update(users, total === undefined || total === 0 ? 1 : Math.min(1, users / total));
  progress.finish();
  return { users, interrupted };
}
