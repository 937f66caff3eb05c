// The connect screen's profiles: the list with its badges, and the form
// that adds one or edits one (the password goes straight to the OS
// keychain; editing without typing one keeps the stored password).
import { api, type ApiError, type Backend, type ProfileDraft, type ProfileView } from "./api";
import { confirmAction } from "./confirm";
import { byId, el, showNotice, type ShowError } from "./dom";

export const backendNames: Record<Backend, string> = {
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  mysql: "MySQL/MariaDB",
};

export function profileCard(p: ProfileView, onConnect: (name: string) => void, onRemove: (name: string) => void = () => {}, onEdit: (p: ProfileView) => void = () => {}): HTMLLIElement {
  const badges = el("span", { class: "badges" });
  if (p.read_only) badges.append(el("span", { class: "badge read-only" }, "read-only"));
  if (p.demo) badges.append(el("span", { class: "badge demo" }, "demo"));
  const button = el("button", { type: "button", "data-connect": p.name }, "Connect");
  button.addEventListener("click", () => onConnect(p.name));
  // A profile that no longer connects can be taken away (and added again).
  const remove = el("button", { type: "button", class: "secondary", "data-remove": p.name }, "Remove…");
  remove.addEventListener("click", () => onRemove(p.name));
  const edit = el("button", { type: "button", class: "secondary", "data-edit": p.name }, "Edit…");
  edit.addEventListener("click", () => onEdit(p));
  return el(
    "li",
    { class: `card${p.read_only ? " read-only" : ""}`, "data-profile": p.name },
    el("div", { class: "card-title" }, el("strong", {}, p.name), badges),
    el("div", { class: "muted" }, `${backendNames[p.backend]} · ${p.location}`),
    el("div", { class: "buttons" }, button, edit, remove),
  );
}

/** The form's values as a draft; the port must be a number when given. */
export function draftFrom(values: {
  name: string;
  backend: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  readOnly: boolean;
}): ProfileDraft | string {
  const port = values.port.trim();
  if (port !== "" && !/^\d{1,5}$/.test(port)) return "the port must be a number";
  const server = values.backend !== "sqlite";
  return {
    name: values.name,
    backend: values.backend as Backend,
    host: server ? values.host : null,
    port: server && port !== "" ? Number(port) : null,
    database: values.database,
    user: server ? values.user : null,
    read_only: values.readOnly,
    password: server && values.password !== "" ? values.password : null,
  };
}

export function profilesView(showError: ShowError, connect: (name: string) => void): () => Promise<void> {
  const list = byId("profiles");
  const backend = byId<HTMLSelectElement>("profile-backend");
  const form = byId<HTMLFormElement>("profile-form");
  const value = (id: string) => byId<HTMLInputElement>(id).value;
  const input = (id: string) => byId<HTMLInputElement>(id);
  /** The profile being edited, or null while the form adds one. */
  let editing: string | null = null;

  async function load(): Promise<void> {
    try {
      const profiles = await api.listProfiles();
      list.replaceChildren(...profiles.map((p) => profileCard(p, connect, (name) => void removeOne(name), startEdit)));
      byId("profiles-empty").hidden = profiles.length > 0;
      showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function removeOne(name: string): Promise<void> {
    const ok = await confirmAction({
      title: `Remove profile ${name}`,
      body: [el("p", {}, "The profile and its passwords in the keychain are removed. The database itself is not touched.")],
      confirm: "Remove the profile",
      reason: "none",
    });
    if (ok === null) return;
    try {
      await api.removeProfile(name);
      showNotice(`Profile ${name} removed.`);
      await load();
    } catch (e) {
      showError(e as ApiError);
    }
  }

  const showServerFields = () => {
    const server = backend.value !== "sqlite";
    for (const label of form.querySelectorAll<HTMLElement>("label.server")) label.hidden = !server;
    byId("profile-database-label").textContent = server ? "Database" : "File path";
  };

  /** Puts the form back to adding a new profile. */
  function addMode(): void {
    editing = null;
    form.reset();
    input("profile-name").readOnly = false;
    byId("profile-form-title").textContent = "Add a profile";
    byId("profile-submit").textContent = "Add and test";
    byId("profile-password-label").textContent = "Password (kept in the OS keychain)";
    byId("profile-edit-cancel").hidden = true;
    showServerFields();
  }

  /** Fills the form with a profile's connection, to change it. */
  function startEdit(p: ProfileView): void {
    editing = p.name;
    input("profile-name").value = p.name;
    input("profile-name").readOnly = true;
    backend.value = p.backend;
    input("profile-host").value = p.host ?? "";
    input("profile-port").value = p.port === null ? "" : String(p.port);
    input("profile-database").value = p.database;
    input("profile-user").value = p.user ?? "";
    input("profile-password").value = "";
    input("profile-read-only").checked = p.read_only;
    byId("profile-form-title").textContent = `Edit profile ${p.name}`;
    byId("profile-submit").textContent = "Save and test";
    byId("profile-password-label").textContent = "New password (leave empty to keep the stored one)";
    byId("profile-edit-cancel").hidden = false;
    showServerFields();
    byId<HTMLDetailsElement>("profile-add").open = true;
    input("profile-database").focus();
  }

  async function add(): Promise<void> {
    const password = byId<HTMLInputElement>("profile-password");
    const draft = draftFrom({
      name: value("profile-name"),
      backend: backend.value,
      host: value("profile-host"),
      port: value("profile-port"),
      database: value("profile-database"),
      user: value("profile-user"),
      password: password.value,
      readOnly: byId<HTMLInputElement>("profile-read-only").checked,
    });
    // The password leaves the page as soon as it has been read.
    password.value = "";
    if (typeof draft === "string") {
      showError({ code: "validation", message: draft });
      return;
    }
    try {
      const saved = editing === null ? await api.addProfile(draft) : await api.updateProfile(draft);
      const done = editing === null ? "added" : "saved";
      await load();
      showError(null);
      showNotice(`Profile ${saved.name} ${done}. Testing…`);
      showNotice(`Profile ${saved.name}: ${await api.testProfile(saved.name)}`);
      addMode();
    } catch (e) {
      showError(e as ApiError);
    }
  }

  backend.addEventListener("change", showServerFields);
  byId("profile-edit-cancel").addEventListener("click", addMode);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void add();
  });
  showServerFields();
  return load;
}
