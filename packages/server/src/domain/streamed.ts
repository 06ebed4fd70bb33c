import type { Keyset } from "./cursor.js";

/**
 * Results too large to build in memory: services return these, and the HTTP
 * edge writes them out page by page.
 */

/** A list produced page by page, so a large one is never held in memory whole. */
export class StreamedList<T> {
  constructor(readonly pages: () => AsyncIterable<readonly T[]>) {}

  /** The same list with each item mapped as its page is read (nothing is read until then). */
  map<U>(toItem: (item: T) => U): StreamedList<U> {
    const pages = this.pages;
    return new StreamedList(async function* mapped() {
      for await (const page of pages()) yield page.map((item) => toItem(item));
    });
  }
}

/** A handler's result to send as a streamed JSON object, whose {@link StreamedList} fields are written page by page. */
export class StreamedDocument {
  constructor(readonly document: Record<string, unknown>) {}
}

type Row = { created_at: number; id: string };
type PageFetcher<R> = (after: Keyset | undefined, limit: number) => Promise<R[]>;

/** Rows newest first by keyset (`created_at`, `id`): each page is fetched after the last row of the one before. */
async function* keysetRows<R extends Row>(fetchPage: PageFetcher<R>, pageSize: number): AsyncGenerator<R> {
  let after: Keyset | undefined;
  for (;;) {
    const rows = await fetchPage(after, pageSize);
    yield* rows;
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || last === undefined) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

const newer = (a: Row, b: Row): boolean => a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);

/** Merges row streams that are each newest first into one, newest first, each row once. */
async function* mergeNewestFirst<R extends Row>(streams: AsyncGenerator<R>[]): AsyncGenerator<R> {
  const heads: (R | undefined)[] = [];
  for (const stream of streams) heads.push((await stream.next()).value as R | undefined);
  let lastId: string | undefined;
  for (;;) {
    let pick = -1;
    heads.forEach((head, i) => {
      const best = pick === -1 ? undefined : heads[pick];
      if (head !== undefined && (best === undefined || newer(head, best))) pick = i;
    });
    if (pick === -1) return;
    const row = heads[pick] as R;
    if (row.id !== lastId) yield row;
    lastId = row.id;
    heads[pick] = (await (streams[pick] as AsyncGenerator<R>).next()).value as R | undefined;
  }
}

/**
 * A list read newest first by keyset from one or more sources (merged, each
 * row once), so every page costs the same however long the list is, and each
 * query is an index range scan: no source needs an `OR` that would sort.
 */
export function keysetPages<R extends Row, T>(sources: PageFetcher<R> | PageFetcher<R>[], toItem: (row: R) => T, pageSize = 500): StreamedList<T> {
  const fetchers = Array.isArray(sources) ? sources : [sources];
  return new StreamedList(async function* pages() {
    const rows = fetchers.length === 1 ? keysetRows(fetchers[0] as PageFetcher<R>, pageSize) : mergeNewestFirst(fetchers.map((f) => keysetRows(f, pageSize)));
    let page: T[] = [];
    for await (const row of rows) {
      page.push(toItem(row));
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  });
}
