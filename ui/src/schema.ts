// The Schema page, for admins: the mapping in effect and whether the
// database agrees with it, the proposed indexes (built on request,
// one after the other, with progress and Stop), the console's own tables
// and their sizes.
import { api, jobId, type ApiError, type IndexView, type SchemaView } from "./api";
import { size } from "./attach";
import { confirmAction } from "./confirm";
import { mappingEditor } from "./mapping_editor";
import { byId, el, formatCount, showNotice, type ShowError } from "./dom";

export function indexRows(indexes: IndexView[]): HTMLTableRowElement[] {
  if (indexes.length === 0) return [el("tr", {}, el("td", { class: "muted" }, "None for this database."))];
  return indexes.map((i) =>
    el("tr", { "data-index": i.name, title: i.ddl.join(";\n") }, el("td", {}, i.name), el("td", {}, i.purpose), el("td", { class: "num" }, size(i.estimated_bytes)), el("td", { class: "there" }, i.exists ? "yes" : "not yet")),
  );
}

export function render(v: SchemaView): void {
  byId("schema-summary").textContent =
    v.mapping_file === null
      ? "The demo: the console's own reference schema."
      : `${v.preset ?? "A back end of its own"}, mapped by ${v.mapping_file}.`;
  byId("schema-problems").replaceChildren(
    v.problems.length === 0
      ? el("p", { class: "muted" }, "The mapping fits the database.")
      : el("ul", { class: "diagnosis mismatch" }, ...v.problems.map((p) => el("li", {}, p))),
  );
  byId("schema-indexes").querySelector("tbody")?.replaceChildren(...indexRows(v.indexes));
  const note = byId("schema-index-note");
  note.hidden = v.index_note === null;
  note.textContent = v.index_note ?? "";
  byId<HTMLButtonElement>("schema-build").hidden = !v.indexes.some((i) => !i.exists);
  byId("schema-console").querySelector("tbody")?.replaceChildren(
    ...v.console.map((c) => el("tr", { "data-table": c.table }, el("td", {}, c.table), el("td", { class: "num" }, formatCount(c.rows)))),
  );
  byId("schema-mapping").textContent = v.mapping;
}

export function schemaView(showError: ShowError): () => void {
  const build = byId<HTMLButtonElement>("schema-build");
  const stop = byId<HTMLButtonElement>("schema-stop");
  const progress = byId("schema-progress");
  let shown: SchemaView | null = null;
  let job: string | null = null;

  async function load(): Promise<void> {
    try {
      shown = await api.schemaPage();
      render(shown);
      showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  build.addEventListener("click", () => {
    void (async () => {
      const missing = (shown?.indexes ?? []).filter((i) => !i.exists);
      const ok = await confirmAction({
        title: `Build ${missing.length === 1 ? "1 index" : `${missing.length} indexes`}`,
        body: [
          el("p", {}, "These statements run against the back end's database, one index after the other; the back end keeps working meanwhile (PostgreSQL builds them CONCURRENTLY). Stop takes effect between two indexes."),
          el("pre", { class: "mail" }, missing.flatMap((i) => i.ddl).join(";\n")),
        ],
        confirm: "Build",
        reason: "none",
        danger: false,
      });
      if (ok === null) return;
      job = jobId("indexes");
      build.disabled = true;
      stop.hidden = false;
      progress.textContent = "Starting…";
      try {
        const after = await api.createSearchIndexes(job, (p) => {
          progress.textContent = `Building ${p.stage} (${p.done + 1} of ${p.total})…`;
        });
        progress.textContent = "";
        showNotice(`Indexes: ${after.filter((i) => i.exists).length} of ${after.length} in place.`);
      } catch (e) {
        progress.textContent = "";
        showError(e as ApiError);
      } finally {
        job = null;
        build.disabled = false;
        stop.hidden = true;
        await load();
      }
    })();
  });
  mappingEditor(showError, () => {
    byId("mapping-banner").hidden = true;
    void load();
  });
  stop.addEventListener("click", () => {
    if (job !== null) void api.cancelJob(job);
  });
  return () => void load();
}
