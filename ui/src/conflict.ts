// When a change is refused because someone else changed the record first,
// the record is read again and the operator sees what changed: each field
// as they saw it and as it is now. Nothing was written; they may try again.
import { el } from "./dom";

export interface Difference {
  label: string;
  then: string;
  now: string;
}

/** A field worth comparing, and how to show its value. */
export interface Field<T> {
  label: string;
  show: (record: T) => string;
}

export function differences<T>(before: T, after: T, fields: Field<T>[]): Difference[] {
  return fields
    .map((f) => ({ label: f.label, then: f.show(before), now: f.show(after) }))
    .filter((d) => d.then !== d.now);
}

/** The box shown above the record read again after a conflict. */
export function conflictBox(diffs: Difference[]): HTMLElement {
  const head = el("p", {}, el("strong", {}, "Changed by someone else since you opened it."), " Nothing was written. ");
  if (diffs.length === 0) {
    head.append("The fields shown here are the same; check the record and try again.");
    return el("section", { id: "conflict", class: "conflict", role: "alert" }, head);
  }
  head.append("Check what changed, then try again if it still applies.");
  return el(
    "section",
    { id: "conflict", class: "conflict", role: "alert" },
    head,
    el(
      "table",
      { class: "grid" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "You saw"), el("th", { scope: "col" }, "Now"))),
      el(
        "tbody",
        {},
        ...diffs.map((d) => el("tr", { "data-field": d.label }, el("td", {}, d.label), el("td", { class: "old" }, d.then), el("td", { class: "new" }, d.now))),
      ),
    ),
  );
}
