// The validation view: the rule catalogue with open findings per rule, a
// run with progress and cancel, and the findings of the rule picked.
import { api, jobId, type ApiError, type Finding, type Progress, type RuleCount, type RuleInfo, type RunReport, type LastRun } from "./api";
import { confirmAction } from "./confirm";
import { byId, el, formatCount, showNotice, when, type ShowError } from "./dom";
import { exportButton } from "./exporting";
import { can } from "./access";
import { coveredRules, runFix } from "./fixes";
import { sortableHeaders, type SortState } from "./sorting";
import { pagedList } from "./list";

export interface RuleLine {
  rule: RuleInfo;
  count: RuleCount | null;
}

/** The catalogue with each rule's counts (zero when it never fired). */
export function ruleLines(rules: RuleInfo[], counts: RuleCount[]): RuleLine[] {
  return rules.map((rule) => ({ rule, count: counts.find((c) => c.rule_id === rule.id) ?? null }));
}

const RULE_SORTS = ["rule", "severity", "open", "accepted", "fixed"];

/**
 * The rule lines in the order the person chose by a header; the
 * catalogue's own order until then, and for ties.
 */
export function sortRuleLines(lines: RuleLine[], s: SortState): RuleLine[] {
  if (!RULE_SORTS.includes(s.key)) return lines;
  const value = (l: RuleLine): number | string => {
    switch (s.key) {
      case "rule":
        return l.rule.title.toLowerCase();
      case "severity":
        return l.rule.severity === "error" ? 2 : 1;
      case "open":
        return l.count?.open ?? 0;
      case "accepted":
        return l.count?.accepted ?? 0;
      default:
        return l.count?.fixed ?? 0;
    }
  };
  return [...lines].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const c = x < y ? -1 : x > y ? 1 : 0;
    return s.ascending ? c : -c;
  });
}

export function ruleRow(l: RuleLine, onOpen: (rule: RuleInfo) => void): HTMLTableRowElement {
  const n = (v: number | undefined) => formatCount(v ?? 0);
  const row = el(
    "tr",
    { "data-rule": l.rule.id, tabindex: "0", class: "clickable" },
    el(
      "td",
      {},
      el("strong", {}, l.rule.title),
      el("div", { class: "muted small" }, l.rule.id),
      // On a back end of its own, a rule its mapping cannot express says why.
      ...(l.rule.unavailable === null ? [] : [el("div", { class: "muted small unavailable" }, `Cannot run here: ${l.rule.unavailable}`)]),
    ),
    el("td", {}, el("span", { class: `severity ${l.rule.severity}` }, l.rule.severity)),
    el("td", { class: "num open" }, n(l.count?.open)),
    el("td", { class: "num" }, n(l.count?.accepted)),
    el("td", { class: "num" }, n(l.count?.fixed)),
  );
  row.addEventListener("click", () => onOpen(l.rule));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onOpen(l.rule);
  });
  return row;
}

/** "12 rules done: 1,234 findings, 12 new, 3 resolved in 4.2 s". */
export function runSummary(r: RunReport): string {
  return `Run ${r.run_id}: ${formatCount(r.findings)} findings (${formatCount(r.new)} new, ${formatCount(r.resolved)} resolved) in ${r.seconds.toFixed(1)} s, ${formatCount(r.rows_examined)} rows examined.`;
}

/** When validation last ran, or that it never did and what to do. */
export function lastRunText(last: LastRun | null, mayRun: boolean, now: Date = new Date()): string {
  if (last !== null) return `Last run ${when(last.finished_at, now)} by ${last.operator}.`;
  return mayRun
    ? "Validation has never run on this database: nothing has been checked yet. Run all rules to find the records that need attention."
    : "Validation has never run on this database: nothing has been checked yet. An admin can run it.";
}

/** "order 100002 (key 2)" where the back end names a record apart from its key, else "order 2" (also where the finding is kept by that name: Saleor's numbers). */
export function recordName(f: Finding): string {
  return f.detail === null || f.detail === String(f.entity_id)
    ? `${f.entity_type} ${f.entity_id}`
    : `${f.entity_type} ${f.detail} (key ${f.entity_id})`;
}

export interface Jump {
  user: (id: number) => void;
  order: (id: number) => void;
}

export function validationView(showError: ShowError, jump: Jump): () => void {
  const body = byId("rules").querySelector("tbody") as HTMLTableSectionElement;
  const panel = byId("findings-view");
  const run = byId<HTMLButtonElement>("validation-run");
  const cancel = byId<HTMLButtonElement>("validation-cancel");
  const bar = byId<HTMLProgressElement>("validation-progress");
  const status = byId("validation-status");
  let rules: RuleInfo[] = [];
  let lines: RuleLine[] = [];
  let job: string | null = null;
  // The catalogue is shown whole, so its order is the window's to choose.
  const ruleSort = sortableHeaders(byId<HTMLTableElement>("rules"), { 0: "rule", 1: "severity", 2: "open", 3: "accepted", 4: "fixed" }, { key: "catalogue", ascending: true }, () => paintRules());
  function paintRules(): void {
    body.replaceChildren(...sortRuleLines(lines, ruleSort.state()).map((l) => ruleRow(l, (r) => void open(r))));
  }

  async function load(): Promise<void> {
    try {
      if (rules.length === 0) rules = await api.validationRules();
      const counts = await api.findingsSummary();
      byId("validation-last").textContent = lastRunText(await api.lastValidationRun(), can("run_validation"));
      lines = ruleLines(rules, counts);
      paintRules();
      showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  function findingRow(f: Finding, rule: RuleInfo, fixOne: (fixId: string, id: number) => void): HTMLTableRowElement {
    const go = el("button", { type: "button", class: "secondary", "data-open": String(f.id) }, "Open");
    go.addEventListener("click", () => (f.entity_type === "user" ? jump.user(f.entity_id) : f.entity_type === "order" ? jump.order(f.entity_id) : undefined));
    go.disabled = f.entity_type !== "user" && f.entity_type !== "order";
    const buttons = el("td", { class: "buttons" }, go);
    if (rule.fix && can("apply_fixes")) {
      const fixId = rule.fix;
      const one = el("button", { type: "button", class: "secondary", "data-fix-one": String(f.entity_id) }, "Fix…");
      one.addEventListener("click", () => void fixOne(fixId, f.entity_id));
      buttons.append(one);
    }
    if (can("run_validation")) {
      const accept = el("button", { type: "button", class: "secondary", "data-accept": String(f.id) }, "Accept…");
      accept.addEventListener("click", () => void acceptOne(f, rule));
      buttons.append(accept);
    }
    return el("tr", { "data-finding": String(f.id) }, el("td", {}, recordName(f)), el("td", {}, when(f.first_seen_at)), buttons);
  }

  async function open(rule: RuleInfo): Promise<void> {
    const head = el("tr", {}, el("th", { scope: "col" }, "Record"), el("th", { scope: "col" }, "First seen"), el("th", { scope: "col" }));
    const table = el("table", { class: "grid wide", id: "findings" }, el("thead", {}, head), el("tbody"));
    const more = el("button", { type: "button", hidden: "" }, "More");
    const summary = el("span", { class: "muted" });
    const csv = el("button", { type: "button", class: "secondary", id: "findings-export" });
    const filter = { rule_id: rule.id, status: "open", entity_type: null, oldest_first: false };
    exportButton(csv, () => ({ list: "findings", filter }), showError);
    const tools = el("div", { class: "toolbar" }, summary, csv);
    const fixing = el("span", { class: "muted", "aria-live": "polite" });
    if (rule.fix) {
      const fixId = rule.fix;
      const covers = coveredRules(fixId, rules);
      const label = covers.length > 1 ? `Preview fix for ${covers.length} rules (${fixId})…` : `Preview fix (${fixId})…`;
      const button = el("button", { type: "button", class: "secondary", id: "fix-preview" }, label);
      button.addEventListener("click", () => void fixThen(fixId, null));
      tools.append(button, fixing);
    }
    /** Runs the fix (for every finding, or one record), then shows where things stand. */
    async function fixThen(fixId: string, only: number | null): Promise<void> {
      await runFix(fixId, coveredRules(fixId, rules), fixing, showError, only);
      await load();
      await open(rule);
    }
    panel.replaceChildren(
      el("h2", { id: "findings-title" }, rule.title),
      el("p", {}, rule.explanation),
      el("p", { class: "muted small" }, `${rule.id} · ${rule.entity}${rule.guards_edits ? " · guards every edit" : ""}`),
      tools,
      table,
      more,
    );
    panel.hidden = false;
    const findings = pagedList<Finding>({
      body: table.querySelector("tbody") as HTMLTableSectionElement,
      more,
      summary,
      fetch: (page) => api.listFindings(filter, page),
      row: (f) => findingRow(f, rule, (fixId, id) => void fixThen(fixId, id)),
      empty: "No open findings.",
      showError,
    });
    // Findings are numbered as the sweeps find them: first seen is id order.
    sortableHeaders(table, { 1: "first_seen" }, { key: "first_seen", ascending: false }, (s) => {
      filter.oldest_first = s.ascending;
      void findings.reload();
    });
    await findings.reload();
  }

  async function acceptOne(f: Finding, rule: RuleInfo): Promise<void> {
    const reason = await confirmAction({
      title: `Accept finding ${f.id}`,
      body: [el("p", {}, `${rule.title}: ${recordName(f)}. Accepted findings stay accepted while the record still trips the rule.`)],
      confirm: "Accept",
      reason: "required",
      danger: false,
    });
    if (reason === null) return;
    try {
      await api.acceptFinding(f.id, f.version, reason);
      showNotice(`Finding ${f.id} accepted.`);
      await load();
      await open(rule);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function sweep(): Promise<void> {
    job = jobId("validation");
    run.disabled = true;
    cancel.hidden = false;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Starting…";
    try {
      const report = await api.runValidation(job, (p: Progress) => {
        bar.max = Math.max(p.total, 1);
        bar.value = p.done;
        status.textContent = p.stage;
      });
      status.textContent = runSummary(report);
      showError(null);
      await load();
    } catch (e) {
      status.textContent = "";
      showError(e as ApiError);
    } finally {
      job = null;
      run.disabled = false;
      cancel.hidden = true;
      bar.hidden = true;
    }
  }

  run.addEventListener("click", () => void sweep());
  cancel.addEventListener("click", () => {
    if (job) void api.cancelJob(job);
  });
  return () => void load();
}
