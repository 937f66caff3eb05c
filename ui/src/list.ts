// A paged table: loads the first page on reload(), appends on "More",
// and drops answers that arrive after a newer request.
import type { ApiError, Page, PageRequest } from "./api";
import { formatCount, type ShowError } from "./dom";

export const PAGE = 50;

export interface PagedList<T> {
  body: HTMLTableSectionElement;
  more: HTMLButtonElement;
  summary: HTMLElement | null;
  fetch: (page: PageRequest) => Promise<Page<T>>;
  /** One row per item, or a row and its detail rows. */
  row: (item: T) => HTMLTableRowElement | HTMLTableRowElement[];
  empty: string;
  showError: ShowError;
}

export function pagedList<T>(list: PagedList<T>): { reload: () => Promise<void> } {
  let seq = 0;
  let next: string | null = null;

  async function load(append: boolean): Promise<void> {
    const mine = ++seq;
    if (list.summary && !append) list.summary.textContent = "Loading…";
    try {
      const page = await list.fetch({ after: append ? next : null, limit: PAGE });
      if (mine !== seq) return; // a newer request already asked again
      const rows = page.items.flatMap(list.row);
      if (append) list.body.append(...rows);
      else list.body.replaceChildren(...rows);
      next = page.next;
      list.more.hidden = next === null;
      if (list.summary && !append) list.summary.textContent = summarise(page, list.empty);
      list.showError(null);
    } catch (e) {
      if (mine === seq) {
        if (list.summary) list.summary.textContent = "";
        list.showError(e as ApiError);
      }
    }
  }

  list.more.addEventListener("click", () => void load(true));
  return { reload: () => load(false) };
}

/** "1,234 matching", "10,000+ matching" or the empty text. */
export function summarise<T>(page: Page<T>, empty: string): string {
  if (page.items.length === 0) return empty;
  const total = page.total;
  if (!total) return "";
  return `${formatCount(total.count)}${total.capped ? "+" : ""} matching`;
}
