// Editing the mapping on the Schema page: each concept's table or column
// chosen from the database's own (never typed blind), the verdict after
// every choice shown on the field it is about, and saving, which the core
// refuses while any problem remains.
import { api, type ApiError, type Draft, type DraftConcept, type DraftStatus, type Problem, type TableColumns } from "./api";
import { byId, el, showNotice, type ShowError } from "./dom";

/** The problems about a concept (or the section it is in). */
export function problemsOf(concept: DraftConcept, problems: Problem[]): Problem[] {
  return problems.filter((p) => p.concept === concept.concept || (concept.column === null && concept.concept === `${p.concept}.table`));
}

/** The options a concept's select offers: the catalogue's tables, or its table's columns; the current name stays listed (marked) when the database lacks it. */
export function choices(concept: DraftConcept, tables: TableColumns[]): string[] {
  const names = concept.column === null ? tables.map((t) => t.table) : (tables.find((t) => t.table === concept.table)?.columns ?? []);
  const current = concept.column ?? concept.table;
  return names.includes(current) ? names : [current, ...names];
}

export function conceptRow(concept: DraftConcept, tables: TableColumns[], problems: Problem[], choose: (name: string) => void): HTMLTableRowElement {
  const current = concept.column ?? concept.table;
  let cell: HTMLElement;
  if (concept.editable) {
    const select = el("select", { "data-concept": concept.concept, "aria-label": concept.concept });
    for (const name of choices(concept, tables)) {
      const missing = concept.column === null ? !tables.some((t) => t.table === name) : !(tables.find((t) => t.table === concept.table)?.columns.includes(name) ?? false);
      const option = el("option", { value: name }, missing ? `${name} (not in the database)` : name);
      option.selected = name === current;
      select.append(option);
    }
    select.addEventListener("change", () => choose(select.value));
    cell = select;
  } else {
    cell = el("span", { title: "One of a list, or a name the editor does not set: edit the file for it." }, current);
  }
  const mine = problemsOf(concept, problems);
  return el(
    "tr",
    { "data-concept": concept.concept, class: mine.length > 0 ? "problem" : "" },
    el("td", {}, concept.concept),
    el("td", {}, concept.column === null ? "" : concept.table),
    el("td", {}, cell),
    el("td", { class: "mismatch" }, mine.map((p) => p.message).join("; ")),
  );
}

/** What a status word can mean to the console (the core's ROLES). */
export const ROLES = ["cancelled", "refunded", "closed", "refundable", "shipped"];

/** A status as its row's boxes say: declared once anything is ticked. */
export interface StatusChoice {
  word: string;
  declared: boolean;
  roles: string[];
  moves: string[];
}

/** One status word's row: declared or found in the data only, what it means, where it moves. */
export function statusRow(s: DraftStatus, declared: string[], change: (c: StatusChoice) => void): HTMLTableRowElement {
  const box = (kind: string, value: string, checked: boolean, label: string): HTMLLabelElement => {
    const input = el("input", { type: "checkbox", "data-kind": kind, value });
    input.checked = checked;
    return el("label", { class: "check" }, input, ` ${label}`);
  };
  const row = el(
    "tr",
    { "data-status": s.word, class: s.declared ? "" : "problem" },
    el("td", {}, s.word),
    el("td", {}, box("declared", s.word, s.declared, s.declared ? "declared" : "in the data only")),
    el("td", {}, ...ROLES.map((r) => box("role", r, s.roles.includes(r), r))),
    el("td", {}, ...declared.filter((w) => w !== s.word).map((w) => box("move", w, s.moves.includes(w), w))),
  );
  row.addEventListener("change", (e) => {
    const ticked = (kind: string) => [...row.querySelectorAll<HTMLInputElement>(`input[data-kind=${kind}]`)].filter((i) => i.checked).map((i) => i.value);
    const roles = ticked("role");
    const moves = ticked("move");
    const declaredBox = row.querySelector<HTMLInputElement>("input[data-kind=declared]");
    // Ticking a meaning or a move of a word in the data declares it.
    const changedDeclared = e.target === declaredBox;
    const isDeclared = (declaredBox?.checked ?? false) || (!changedDeclared && (roles.length > 0 || moves.length > 0));
    change({ word: s.word, declared: isDeclared, roles: isDeclared ? roles : [], moves: isDeclared ? moves : [] });
  });
  return row;
}

/** Wires the editor; `saved` is called once a draft has been saved. */
export function mappingEditor(showError: ShowError, saved: () => void): void {
  const box = byId("mapping-editor");
  const body = byId("mapping-concepts").querySelector("tbody") as HTMLTableSectionElement;
  const verdict = byId("mapping-verdict");
  const others = byId("mapping-problems");
  let tables: TableColumns[] = [];
  let draft: Draft | null = null;

  function render(d: Draft): void {
    draft = d;
    body.replaceChildren(...d.concepts.map((c) => conceptRow(c, tables, d.problems, (name) => void choose(c.concept, name))));
    const declared = d.statuses.filter((s) => s.declared).map((s) => s.word);
    byId("mapping-statuses-box").hidden = d.statuses.length === 0;
    byId("mapping-statuses").querySelector("tbody")?.replaceChildren(...d.statuses.map((s) => statusRow(s, declared, (c) => void status(c))));
    const placed = new Set(d.concepts.flatMap((c) => problemsOf(c, d.problems)));
    const rest = d.problems.filter((p) => !placed.has(p));
    others.hidden = rest.length === 0;
    others.replaceChildren(...rest.map((p) => el("li", {}, `${p.concept}: ${p.message}`)));
    verdict.textContent = d.problems.length === 0 ? "The mapping fits the database." : `${d.problems.length} problem${d.problems.length === 1 ? "" : "s"}: not saved yet.`;
  }

  async function choose(concept: string, name: string): Promise<void> {
    if (draft === null) return;
    try {
      render(await api.editMappingDraft(draft.text, concept, name));
      showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function status(c: StatusChoice): Promise<void> {
    if (draft === null) return;
    try {
      render(await api.setMappingStatus(draft.text, c.word, c.declared, c.roles, c.moves));
      showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  byId("mapping-edit").addEventListener("click", () => {
    void (async () => {
      try {
        tables = await api.mappingCatalogue();
        render(await api.openMappingDraft());
        box.hidden = false;
        showError(null);
      } catch (e) {
        showError(e as ApiError);
      }
    })();
  });
  byId("mapping-discard").addEventListener("click", () => {
    box.hidden = true;
    draft = null;
  });
  byId("mapping-save").addEventListener("click", () => {
    void (async () => {
      if (draft === null) return;
      try {
        render(await api.saveMappingDraft(draft.text));
        box.hidden = true;
        showNotice("The mapping is saved; the console works through it now.");
        saved();
      } catch (e) {
        showError(e as ApiError);
      }
    })();
  });
}
