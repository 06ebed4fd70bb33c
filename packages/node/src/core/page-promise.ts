/** A page of a cursor-paginated list. */
export interface Page {
  /** Pass this as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * One page of a list: its items under the resource's name (`users`,
 * `sessions`, `organizations`, …), `nextCursor`, and, for the lists that count
 * their matches (all but the event feed), `total`: how many items match the
 * list's filters across all pages.
 *
 * @example
 * ```ts
 * const page: ListPage<"users", User> = await hj.users.list({ limit: 10 });
 * console.log(page.users.length, page.total, page.nextCursor);
 * ```
 */
export type ListPage<Key extends string, Item, Counted extends boolean = true> = { [K in Key]: Item[] } & Page & (Counted extends true ? CountedPage : unknown);

/** The count that every list but the event feed carries. */
export interface CountedPage {
  /** How many items match the list's filters, across all pages. */
  total: number;
}

/** Options for {@link PagePromise.toArray}. */
export interface ToArrayOptions {
  /** The most items to collect. Default 10 000. */
  limit?: number | undefined;
}

const DEFAULT_TO_ARRAY_LIMIT = 10_000;

/**
 * What `list()` methods return: await it for the first page, or iterate it
 * with `for await` to walk every item across pages with the same filters.
 *
 * @example
 * ```ts
 * const { users, nextCursor, total } = await hj.users.list({ limit: 50 });
 * for await (const user of hj.users.list({ status: "active" })) console.log(user.email);
 * ```
 */
export class PagePromise<TPage extends Page, TItem> implements PromiseLike<TPage>, AsyncIterable<TItem> {
  readonly #fetchPage: (cursor: string | undefined) => Promise<TPage>;
  readonly #items: (page: TPage) => readonly TItem[];
  readonly #firstCursor: string | undefined;
  #first: Promise<TPage> | undefined;

  /** @internal */
  constructor(fetchPage: (cursor: string | undefined) => Promise<TPage>, items: (page: TPage) => readonly TItem[], firstCursor: string | undefined) {
    this.#fetchPage = fetchPage;
    this.#items = items;
    this.#firstCursor = firstCursor;
  }

  #firstPage(): Promise<TPage> {
    this.#first ??= this.#fetchPage(this.#firstCursor);
    return this.#first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a list call is awaitable (its first page) and iterable (every item) by design.
  then<TResult1 = TPage, TResult2 = never>(
    onfulfilled?: ((value: TPage) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  catch<TResult = never>(onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null): Promise<TPage | TResult> {
    return this.#firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<TPage> {
    return this.#firstPage().finally(onfinally);
  }

  /**
   * Every page in order, starting with the first. Stops at a `null` cursor, or
   * at a cursor seen before (a misbehaving server cannot make it loop).
   */
  async *pages(): AsyncGenerator<TPage, void, undefined> {
    const seen = new Set<string>();
    let page = await this.#firstPage();
    for (;;) {
      yield page;
      const cursor = page.nextCursor;
      if (cursor === null || cursor === undefined || seen.has(cursor)) return;
      seen.add(cursor);
      page = await this.#fetchPage(cursor);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem, void, undefined> {
    for await (const page of this.pages()) yield* this.#items(page);
  }

  /** Collects items across pages, stopping at `limit` (default 10 000). */
  async toArray(options: ToArrayOptions = {}): Promise<TItem[]> {
    const limit = options.limit ?? DEFAULT_TO_ARRAY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("toArray limit must be a positive integer");
    const out: TItem[] = [];
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}
