import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** One ```ts block of a README. */
export interface CodeBlock {
  /** 1-based line of the block's first code line in the README. */
  line: number;
  code: string;
}

/**
 * A README's TypeScript, read as a newcomer reads it: every ```ts block in
 * order, as one module. Blocks may use what earlier blocks declared.
 */
export interface ReadmeProgram {
  /** Path from the repository root, e.g. `packages/node/README.md`. */
  readme: string;
  blocks: CodeBlock[];
  /** Marked `<!-- docs-test: run -->`: the program runs to completion against a test server. */
  runnable: boolean;
  /** For a block marked `<!-- docs-test: separate -->`: its line, as it is a program of its own. */
  separateLine?: number;
}

/** Every README.md of the repository: the root one and one per package or example. */
export function readmePaths(): string[] {
  const paths = ["README.md"];
  for (const folder of ["packages", "examples"]) {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      const readme = join(folder, entry.name, "README.md");
      if (entry.isDirectory() && existsSync(join(ROOT, readme))) paths.push(readme);
    }
  }
  return paths.sort();
}

const FENCE = /^(`{3,})\s*(\S*)/;

/**
 * The ```ts (or ```typescript) blocks of one README, with their line numbers:
 * the README's program, then one program per block marked
 * `<!-- docs-test: separate -->` on the line before its fence (a standalone
 * example that would clash with the others, type-checked on its own, not run).
 */
export function readPrograms(readme: string): ReadmeProgram[] {
  const text = readFileSync(join(ROOT, readme), "utf8");
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  const separate: ReadmeProgram[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const [, fence, language] = open as unknown as [string, string, string];
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] as string).startsWith(fence)) end++;
    if (language === "ts" || language === "typescript") {
      const block = { line: start + 1, code: lines.slice(start, end).join("\n") };
      if ((lines[i - 1] ?? "").includes("<!-- docs-test: separate -->")) separate.push({ readme, blocks: [block], runnable: false, separateLine: block.line });
      else blocks.push(block);
    }
    i = end;
  }
  return [{ readme, blocks, runnable: text.includes("<!-- docs-test: run -->") }, ...separate];
}

/** Every README that has TypeScript in it. */
export function readmePrograms(): ReadmeProgram[] {
  return readmePaths()
    .flatMap(readPrograms)
    .filter((program) => program.blocks.length > 0);
}

/**
 * The program as one TypeScript module, and a map from its lines back to the
 * README's, so that a compiler error names `packages/node/README.md:42`.
 */
export function toModule(program: ReadmeProgram): { source: string; readmeLine: (moduleLine: number) => number } {
  const out: string[] = [];
  const origin: number[] = [];
  for (const block of program.blocks) {
    block.code.split("\n").forEach((line, index) => {
      out.push(line);
      origin.push(block.line + index);
    });
  }
  // A module even when no block imports anything, so programs never share globals.
  out.push("export {};");
  return { source: `${out.join("\n")}\n`, readmeLine: (moduleLine) => origin[moduleLine - 1] ?? 0 };
}

/** A file name for the program's module, e.g. `packages-node-README.ts`. */
export function moduleName(program: ReadmeProgram): string {
  const base = relative(".", program.readme).replace(/[/.]/g, "-").replace(/-md$/, "");
  return program.separateLine === undefined ? `${base}.ts` : `${base}-L${program.separateLine}.ts`;
}

/**
 * Writes a README's program (its blocks in order, not the separate ones) as
 * `<dir>/<name>.ts`, next to a `tsconfig.json` with the packages' strict
 * settings and TypeScript's decorators without decorator metadata (the
 * test-time transform reads it: READMEs name their injection tokens, so they
 * run under tsx and esbuild too), and returns the file's path. `edit` may rearrange the source, e.g. to
 * export what the test drives; it must keep the README's own lines.
 */
export function writeReadmeModule(readme: string, dir: string, edit: (source: string) => string = (source) => source): string {
  const program = readPrograms(readme)[0];
  if (program === undefined || program.blocks.length === 0) throw new Error(`${readme} has no TypeScript`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: relative(dir, join(ROOT, "tsconfig.base.json")),
      compilerOptions: { noEmit: true, experimentalDecorators: true, emitDecoratorMetadata: false },
      include: ["*.ts"],
    }),
  );
  const file = join(dir, moduleName(program));
  writeFileSync(file, edit(toModule(program).source));
  return file;
}
