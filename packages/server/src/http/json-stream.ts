import { Readable } from "node:stream";
import { StreamedList } from "../domain/streamed.js";

/**
 * Serializes a JSON object whose {@link StreamedList} fields are written page
 * by page: memory holds one page at a time, and the event loop serves other
 * requests between pages.
 */
export function jsonStream(document: Record<string, unknown>): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let first = true;
    yield "{";
    for (const [key, value] of Object.entries(document)) {
      yield `${first ? "" : ","}${JSON.stringify(key)}:`;
      first = false;
      if (!(value instanceof StreamedList)) {
        yield JSON.stringify(value);
        continue;
      }
      yield "[";
      let firstItem = true;
      for await (const page of value.pages()) {
        if (page.length === 0) continue;
        const body = page.map((item) => JSON.stringify(item)).join(",");
        yield firstItem ? body : `,${body}`;
        firstItem = false;
      }
      yield "]";
    }
    yield "}";
  }
  return Readable.from(chunks(), { objectMode: false });
}
