import { api, type ApiError, type OperatorView, type ProfileView, type TableCount } from "./api";
import { byId, el, formatCount } from "./dom";
import { usersView } from "./users";

let showUsers: () => void = () => {};

const backendNames: Record<ProfileView["backend"], string> = {
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  mysql: "MySQL/MariaDB",
};

function showError(err: ApiError | null): void {
  const box = byId("error");
  box.hidden = err === null;
  box.textContent = err ? err.message : "";
  box.dataset["code"] = err ? err.code : "";
}

export function profileCard(p: ProfileView, onConnect: (name: string) => void): HTMLLIElement {
  const badges = el("span", { class: "badges" });
  if (p.read_only) badges.append(el("span", { class: "badge read-only" }, "read-only"));
  if (p.demo) badges.append(el("span", { class: "badge demo" }, "demo"));
  const button = el("button", { type: "button", "data-connect": p.name }, "Connect");
  button.addEventListener("click", () => onConnect(p.name));
  return el(
    "li",
    { class: "card", "data-profile": p.name },
    el("div", { class: "card-title" }, el("strong", {}, p.name), badges),
    el("div", { class: "muted" }, `${backendNames[p.backend]} · ${p.location}`),
    button,
  );
}

export function countRows(counts: TableCount[]): HTMLTableRowElement[] {
  return counts.map((c) =>
    el(
      "tr",
      { "data-table": c.table },
      el("td", {}, c.table),
      el("td", { class: "num" }, formatCount(c.rows)),
    ),
  );
}

async function loadProfiles(): Promise<void> {
  const list = byId("profiles");
  try {
    const profiles = await api.listProfiles();
    list.replaceChildren(...profiles.map((p) => profileCard(p, (name) => void connect(name))));
    byId("profiles-empty").hidden = profiles.length > 0;
    showError(null);
  } catch (e) {
    showError(e as ApiError);
  }
}

async function connect(name: string): Promise<void> {
  const button = document.querySelector<HTMLButtonElement>(`button[data-connect="${CSS.escape(name)}"]`);
  if (button) {
    button.disabled = true;
    button.textContent = "Connecting…";
  }
  try {
    const conn = await api.connect(name);
    byId("connection-label").textContent = `${conn.profile.name} — ${conn.label}`;
    byId("demo-banner").hidden = !conn.profile.demo;
    byId("disconnect").hidden = false;
    byId("profiles-view").hidden = true;
    byId("signin-view").hidden = false;
    byId<HTMLInputElement>("signin-user").focus();
    showError(null);
  } catch (e) {
    showError(e as ApiError);
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = "Connect";
    }
  }
}

/** "alice (admin)": who is signed in, shown in the header. */
export function operatorLabel(o: OperatorView): string {
  return `${o.username} (${o.role})`;
}

async function signIn(): Promise<void> {
  const user = byId<HTMLInputElement>("signin-user");
  const password = byId<HTMLInputElement>("signin-password");
  const submit = byId<HTMLButtonElement>("signin-submit");
  submit.disabled = true;
  try {
    const me = await api.signIn(user.value, password.value);
    const counts = await api.tableCounts();
    const label = byId("operator-label");
    label.textContent = operatorLabel(me);
    label.hidden = false;
    byId("signin-view").hidden = true;
    byId("counts").querySelector("tbody")?.replaceChildren(...countRows(counts));
    byId("counts-view").hidden = false;
    showError(null);
    showUsers();
    byId<HTMLInputElement>("user-search").focus();
  } catch (e) {
    showError(e as ApiError);
    password.select();
  } finally {
    // The password leaves the page as soon as it has been used.
    password.value = "";
    submit.disabled = false;
  }
}

async function disconnect(): Promise<void> {
  await api.signOut().catch(() => undefined);
  await api.disconnect().catch((e: ApiError) => showError(e));
  byId("operator-label").hidden = true;
  byId("operator-label").textContent = "";
  byId("signin-view").hidden = true;
  byId("users-view").hidden = true;
  byId("card-view").hidden = true;
  byId("connection-label").textContent = "";
  byId("demo-banner").hidden = true;
  byId("disconnect").hidden = true;
  byId("counts-view").hidden = true;
  byId("profiles-view").hidden = false;
  await loadProfiles();
}

if (typeof window !== "undefined" && "__TAURI_INTERNALS__" in window) {
  showUsers = usersView(showError);
  byId("disconnect").addEventListener("click", () => void disconnect());
  byId("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void signIn();
  });
  void loadProfiles();
}
