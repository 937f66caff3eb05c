// Column headers that sort a list: a click on a sortable header asks the
// core for that order (keyset pages stay correct, unlike sorting the rows
// already shown), a second click reverses it, and `aria-sort` plus an arrow
// say which order is in force. Headers the core cannot sort by stay plain.
export interface SortState {
  key: string;
  ascending: boolean;
}

/**
 * Makes the headers of `table` named in `keys` (column index → sort key)
 * clickable; `changed` runs with the new order.
 */
export function sortableHeaders(table: HTMLTableElement, keys: Record<number, string>, initial: SortState, changed: (s: SortState) => void): { state: () => SortState; set: (s: SortState) => void } {
  let state = { ...initial };
  const headers = Array.from(table.querySelectorAll<HTMLTableCellElement>("thead th"));
  const paint = () => {
    headers.forEach((th, i) => {
      const key = keys[i];
      if (key === undefined) return;
      const on = key === state.key;
      th.setAttribute("aria-sort", on ? (state.ascending ? "ascending" : "descending") : "none");
      th.dataset["arrow"] = on ? (state.ascending ? "▲" : "▼") : "";
    });
  };
  headers.forEach((th, i) => {
    const key = keys[i];
    if (key === undefined) return;
    th.classList.add("sortable");
    th.tabIndex = 0;
    th.title = "Sort by this column (again to reverse)";
    const flip = () => {
      state = key === state.key ? { key, ascending: !state.ascending } : { key, ascending: false };
      paint();
      changed(state);
    };
    th.addEventListener("click", flip);
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        flip();
      }
    });
  });
  paint();
  return {
    state: () => state,
    set: (s) => {
      state = { ...s };
      paint();
    },
  };
}
