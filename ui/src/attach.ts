// Attaching a back end of its own: what detection recognised (the preset,
// what works and why not, where each concept lives), what attaching
// creates (the statements one click away, for a DBA) and the search
// indexes it proposes; then the confirmation that attaches it with its
// first admin.
import { api, type ApiError, type ConnectionView, type DetectView } from "./api";
import { byId, el, formatCount, type ShowError } from "./dom";

/** 1536 → "1.5 KiB": an estimate's size. */
export function size(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${formatCount(n)} bytes` : `${n.toFixed(1)} ${units[unit]}`;
}

export function render(d: DetectView): void {
  byId("attach-summary").replaceChildren(
    "Recognised: ",
    el("strong", { id: "attach-preset" }, d.preset),
    ` (${formatCount(d.tables)} tables).`,
  );
  byId("attach-capabilities").querySelector("tbody")?.replaceChildren(
    ...d.capabilities.map((c) =>
      el("tr", { "data-capability": c.name, class: c.works ? "" : "muted" }, el("td", {}, c.works ? "yes" : "no"), el("td", {}, c.name), el("td", {}, c.detail)),
    ),
  );
  byId("attach-notes").replaceChildren(...d.notes.map((n) => el("li", {}, n)));
  byId("attach-concepts").querySelector("tbody")?.replaceChildren(
    ...d.concepts.map((c) => el("tr", {}, el("td", {}, c.concept), el("td", {}, c.table), el("td", {}, c.column ?? ""))),
  );
  byId("attach-tables").textContent = `${d.console_tables.length} tables of its own: ${d.console_tables.join(", ")}.`;
  byId("attach-sql").textContent = d.console_sql;
  byId("attach-indexes").querySelector("tbody")?.replaceChildren(
    ...(d.indexes.length === 0
      ? [el("tr", {}, el("td", { class: "muted" }, "None for this database."))]
      : d.indexes.map((i) =>
        el("tr", { "data-index": i.name, title: i.ddl.join(";\n") }, el("td", {}, i.name), el("td", {}, i.purpose), el("td", { class: "num" }, size(i.estimated_bytes)), el("td", {}, i.exists ? "yes" : "not yet")),
      )),
  );
  const note = byId("attach-index-note");
  note.hidden = d.index_note === null;
  note.textContent = d.index_note ?? "";
}

/** The attach page: `show()` reads the back end; attaching hands the new connection on. */
export function attachView(showError: ShowError, onAttached: (conn: ConnectionView) => void): () => Promise<void> {
  const form = byId<HTMLFormElement>("attach-form");
  const submit = byId<HTMLButtonElement>("attach-submit");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const password = byId<HTMLInputElement>("attach-password");
    submit.disabled = true;
    submit.textContent = "Attaching…";
    void api
      .attachBackend({ admin: byId<HTMLInputElement>("attach-admin").value, password: password.value, confirmed: byId<HTMLInputElement>("attach-confirm").checked })
      .then((conn) => {
        showError(null);
        onAttached(conn);
      })
      .catch((e: unknown) => showError(e as ApiError))
      .finally(() => {
        // The password leaves the page as soon as it has been used.
        password.value = "";
        submit.disabled = false;
        submit.textContent = "Attach";
      });
  });
  return async () => {
    byId("attach-summary").textContent = "Reading the catalogue…";
    try {
      render(await api.detectBackend());
      showError(null);
    } catch (e) {
      byId("attach-summary").textContent = "The catalogue could not be read; the reason is above, and nothing was written.";
      showError(e as ApiError);
    }
  };
}
