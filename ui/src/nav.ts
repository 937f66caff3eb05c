// Moving between views: the header's buttons, and the Ctrl+K palette that
// jumps to a view, an order (#12) or a user (an id or an email address).
import { byId, el, showNotice, type ShowError } from "./dom";

export const VIEWS = ["dashboard", "users", "orders", "validation", "notify", "outbox", "audit", "schema"] as const;
export type View = (typeof VIEWS)[number];

const titles: Record<View, string> = {
  dashboard: "Dashboard",
  users: "Users",
  orders: "Orders",
  validation: "Validation",
  notify: "Notifications",
  outbox: "Outbox",
  audit: "Audit log",
  schema: "Schema",
};

export interface PaletteItem {
  label: string;
  run: () => void;
}

/** What the palette offers for what was typed. */
export function paletteItems(text: string, go: (v: View) => void, order: (id: number) => void, user: (key: string) => void): PaletteItem[] {
  const t = text.trim();
  const items: PaletteItem[] = VIEWS.filter((v) => titles[v].toLowerCase().includes(t.toLowerCase())).map((v) => ({
    label: `Go to ${titles[v]}`,
    run: () => go(v),
  }));
  const id = /^#?(\d+)$/.exec(t);
  if (id) {
    items.unshift({ label: `Open order ${id[1]}`, run: () => order(Number(id[1])) }, { label: `Open user ${id[1]}`, run: () => user(id[1] ?? "") });
  } else if (t.includes("@")) {
    items.unshift({ label: `Open user ${t}`, run: () => user(t) });
  }
  return items;
}

export function navigation(
  onShow: Record<View, () => void>,
  showError: ShowError,
): {
  go: (v: View) => void;
  only: (unavailable: Partial<Record<View, string>>) => void;
  route: (v: View, section: string, show: () => void) => void;
  palette: (order: (id: number) => void, user: (key: string) => void) => void;
} {
  let unavailable: Partial<Record<View, string>> = {};
  // Each view's section and what opening it does; `route` points a view
  // at another section (a back end of its own has its own users view).
  const sections = new Map<View, string>(VIEWS.map((v) => [v, `${v}-view`]));
  const shows = new Map<View, () => void>(VIEWS.map((v) => [v, onShow[v]]));
  const known = new Set(sections.values());
  const route = (v: View, section: string, show: () => void) => {
    sections.set(v, section);
    shows.set(v, show);
    known.add(section);
  };
  /** Views this connection cannot show, each with the reason, shown on hover. */
  const only = (reasons: Partial<Record<View, string>>) => {
    unavailable = reasons;
    for (const name of VIEWS) {
      const button = document.querySelector<HTMLButtonElement>(`#nav button[data-view="${name}"]`);
      if (!button) continue;
      const why = reasons[name];
      button.disabled = why !== undefined;
      button.title = why ?? "";
    }
  };
  const go = (v: View) => {
    const why = unavailable[v];
    if (why !== undefined) {
      showNotice(why);
      return;
    }
    // What another view said no longer applies here.
    showNotice(null);
    showError(null);
    for (const id of known) byId(id).hidden = id !== sections.get(v);
    for (const name of VIEWS) {
      const button = document.querySelector<HTMLButtonElement>(`#nav button[data-view="${name}"]`);
      button?.setAttribute("aria-current", name === v ? "page" : "false");
    }
    shows.get(v)?.();
  };
  for (const name of VIEWS) {
    document.querySelector(`#nav button[data-view="${name}"]`)?.addEventListener("click", () => go(name));
  }

  function palette(order: (id: number) => void, user: (key: string) => void): void {
    const dialog = byId<HTMLDialogElement>("palette");
    const input = byId<HTMLInputElement>("palette-input");
    const list = byId("palette-list");
    let items: PaletteItem[] = [];
    let chosen = 0;
    const draw = () => {
      items = paletteItems(input.value, go, order, user);
      chosen = Math.min(chosen, Math.max(items.length - 1, 0));
      list.replaceChildren(
        ...items.map((item, i) => {
          const li = el("li", { class: i === chosen ? "chosen" : "" }, item.label);
          li.addEventListener("click", () => pick(i));
          return li;
        }),
      );
    };
    const pick = (i: number) => {
      const item = items[i];
      dialog.close();
      item?.run();
    };
    input.addEventListener("input", () => {
      chosen = 0;
      draw();
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") chosen = Math.min(chosen + 1, items.length - 1);
      else if (e.key === "ArrowUp") chosen = Math.max(chosen - 1, 0);
      else if (e.key === "Enter") {
        e.preventDefault();
        pick(chosen);
        return;
      } else return;
      e.preventDefault();
      draw();
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "k" && (e.ctrlKey || e.metaKey) && !byId("nav").hidden) {
        e.preventDefault();
        input.value = "";
        chosen = 0;
        draw();
        if (!dialog.open) dialog.showModal();
        input.focus();
      }
    });
  }

  return { go, only, route, palette };
}
