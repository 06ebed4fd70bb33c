// Streaming splitters for the three file shapes the providers export: lines
// (NDJSON), CSV (RFC 4180) and one JSON array inside an object (Firebase).
// Each takes decoded text chunks and yields one record at a time, so a file of
// any size is read in constant memory.

/** One record of a file: its 1-based position, and its value or the reason it cannot be read. */
export type RawRecord<T> = { record: number; value: T } | { record: number; error: string };

/** Non-empty lines, each parsed as JSON. */
export async function* ndjsonRecords(chunks: AsyncIterable<string>): AsyncGenerator<RawRecord<unknown>> {
  let rest = "";
  let record = 0;
  const parse = (line: string): RawRecord<unknown> => {
    record++;
    try {
      return { record, value: JSON.parse(line) as unknown };
    } catch (error) {
      return { record, error: `line is not valid JSON (${(error as Error).message})` };
    }
  };
  for await (const chunk of chunks) {
    rest += chunk;
    let from = 0;
    let newline: number;
    while ((newline = rest.indexOf("\n", from)) !== -1) {
      const line = rest.slice(from, newline).trim();
      from = newline + 1;
      if (line !== "") yield parse(line);
    }
    rest = rest.slice(from);
  }
  if (rest.trim() !== "") yield parse(rest.trim());
}

/**
 * CSV rows (RFC 4180: quoted fields may hold commas, doubled quotes and line
 * breaks), as objects keyed by the header row.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<RawRecord<Record<string, string>>> {
  let header: string[] | undefined;
  let record = 0;
  let field = "";
  let row: string[] = [];
  let quoted = false;
  let quoteSeen = false;
  let pendingQuote = false;
  let ready: string[][] = [];
  const endField = (): void => {
    row.push(field);
    field = "";
    quoteSeen = false;
  };
  const endRow = (): void => {
    endField();
    if (!(row.length === 1 && row[0] === "")) ready.push(row);
    row = [];
  };
  function* drain(final: boolean): Generator<RawRecord<Record<string, string>>> {
    const rows = ready;
    ready = [];
    for (const cells of rows) {
      if (header === undefined) {
        header = cells.map((h) => h.replace(/^\uFEFF/, "").trim());
        continue;
      }
      record++;
      if (cells.length !== header.length || (final && quoted)) {
        yield { record, error: `row has ${cells.length} fields, the header has ${header.length}${final && quoted ? " (an unterminated quote)" : ""}` };
        continue;
      }
      const names = header;
      yield { record, value: Object.fromEntries(cells.map((cell, k) => [names[k] as string, cell])) };
    }
  }
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (pendingQuote) {
        pendingQuote = false;
        if (c === '"') {
          field += '"';
          continue;
        }
        quoted = false;
      }
      if (quoted) {
        if (c === '"') pendingQuote = true;
        else field += c;
        continue;
      }
      if (c === '"' && field === "" && !quoteSeen) {
        quoted = true;
        quoteSeen = true;
      } else if (c === ",") endField();
      else if (c === "\n") endRow();
      else if (c !== "\r") field += c;
    }
    yield* drain(false);
  }
  if (pendingQuote) quoted = false;
  if (field !== "" || row.length > 0) endRow();
  yield* drain(true);
}

/**
 * The elements of the array under `key` in a top-level JSON object (Firebase's
 * `{"users": [ … ]}`), each parsed on its own: only one element is in memory.
 */
export async function* jsonArrayRecords(chunks: AsyncIterable<string>, key: string): AsyncGenerator<RawRecord<unknown>> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let topString = "";
  let lastKey: string | undefined;
  let inArray = false;
  let found = false;
  let element = "";
  let record = 0;
  for await (const chunk of chunks) {
    let start = inArray && depth >= 3 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
        else if (depth === 1) topString += c;
        continue;
      }
      switch (c) {
        case '"':
          inString = true;
          if (depth === 1) topString = "";
          break;
        case ":":
          if (depth === 1) lastKey = topString;
          break;
        case ",":
          if (depth === 1) lastKey = undefined;
          break;
        case "{":
        case "[":
          depth++;
          if (depth === 2 && c === "[" && lastKey === key) {
            inArray = true;
            found = true;
          } else if (inArray && depth === 3) {
            element = "";
            start = i;
          }
          break;
        case "}":
        case "]":
          if (inArray && depth === 3) {
            element += chunk.slice(start, i + 1);
            start = -1;
            record++;
            try {
              yield { record, value: JSON.parse(element) as unknown };
            } catch (error) {
              yield { record, error: `element is not valid JSON (${(error as Error).message})` };
            }
            element = "";
          } else if (inArray && depth === 2) inArray = false;
          depth--;
          break;
      }
    }
    if (start >= 0) element += chunk.slice(start);
  }
  if (!found) yield { record: record + 1, error: `the file has no "${key}" array at its top level` };
}
