import { spawn } from "node:child_process";

/** The server's CLI, as `npx hellojohn-server` runs it. */
export const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;

/** A running `hellojohn-server` process and what it printed so far. */
export interface CliChild {
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once stderr has `count` progress lines (a page is on disk, and checkpointed, before its line). */
  progressLines(count: number): Promise<void>;
}

/** Starts `hellojohn-server …args` with `env` added to this process's environment. */
export function startCli(args: string[], env: Record<string, string>): CliChild {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const state: CliChild = {
    stdout: "",
    stderr: "",
    exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
    progressLines: (count) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if ((state.stderr.match(/rows\/s/g) ?? []).length >= count) resolve();
        };
        child.stderr.on("data", check);
        void state.exit.then(() => reject(new Error(`exited before ${count} progress lines: ${state.stdout}${state.stderr}`)));
      }),
  };
  child.stdout.on("data", (c: Buffer) => (state.stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (state.stderr += c.toString()));
  return state;
}
