/**
 * Lists: hookd answers a page as a bare JSON array and the next page's token in
 * X-Continuation-Token, absent on the last page (docs/api.md, "Lists"). `page()` gets one page
 * with its token; iterating a List follows the tokens to the end.
 */

export interface Page<T> {
  data: T[];
  /** The token of the next page (pass it as `ct`); undefined on the last page. */
  next: string | undefined;
}

export interface List<T> extends AsyncIterable<T> {
  /** The pages one by one, from the first (or the query's `ct`). */
  pages(): AsyncIterableIterator<Page<T>>;
  /** Every item of every page, in one array: for lists known to be short. */
  toArray(): Promise<T[]>;
}

/** A List over `fetchPage(ct)`, starting at `ct` (undefined: the first page). Nothing is fetched until it is iterated. */
export function listOf<T>(fetchPage: (ct: string | undefined) => Promise<Page<T>>, ct: string | undefined): List<T> {
  async function* pages(): AsyncIterableIterator<Page<T>> {
    let token = ct;
    do {
      const page = await fetchPage(token);
      yield page;
      // A server that hands back the token it was given would loop forever: stop instead.
      if (page.next !== undefined && page.next === token) throw new Error(`the server answered the continuation token it was sent (${token}); stopping`);
      token = page.next;
    } while (token !== undefined);
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) yield* page.data;
  }
  return {
    pages,
    [Symbol.asyncIterator]: items,
    async toArray() {
      const all: T[] = [];
      for await (const item of items()) all.push(item);
      return all;
    },
  };
}
