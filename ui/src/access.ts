// What the signed-in operator may do, as the core told the window at
// sign-in. The window offers only those actions; the core checks each one
// again, so this is about not offering what would be refused.
import type { Permission } from "./bindings/Permission";

let granted = new Set<Permission>();

/** Records the operator's permissions and shows or hides `[data-needs]`. */
export function grant(permissions: Permission[], root: ParentNode = document): void {
  granted = new Set(permissions);
  for (const node of root.querySelectorAll<HTMLElement>("[data-needs]")) {
    node.hidden = !can(node.dataset["needs"] as Permission);
  }
}

export function can(p: Permission): boolean {
  return granted.has(p);
}
