import { api, type ApiError, type ConnectionView, type OperatorView } from "./api";
import { attachView } from "./attach";
import { grant } from "./access";
import { auditView } from "./audit";
import { dashboardView } from "./dashboard";
import { byId, showNotice, visible } from "./dom";
import { navigation } from "./nav";
import { mappedOrdersView } from "./mapped_orders";
import { mappedUsersView } from "./mapped_users";
import { ordersView } from "./orders";
import { outboxView } from "./outbox";
import { profilesView } from "./profiles";
import { schemaView } from "./schema";
import { sendingView } from "./sending";
import { usersView } from "./users";
import { validationView } from "./validation";

function showError(err: ApiError | null): void {
  const box = byId("error");
  box.hidden = err === null;
  box.textContent = err ? visible(err.message) : "";
  box.dataset["code"] = err ? err.code : "";
  if (err) showNotice(null);
}

/** "alice (admin)": who is signed in, shown in the header. */
export function operatorLabel(o: OperatorView): string {
  return `${o.username} (${o.role})`;
}

const PANELS = ["card-view", "mcard-view", "order-view", "morder-view", "findings-view"];

/**
 * Views the window does not show yet on a back end of its own (the CLI
 * works with them through the mapping), each with the reason on hover.
 */
const RECONNECT = "backoffice.reconnect";

function start(): void {
  // A back end of its own: the users and orders views read it through its mapping.
  let mapped = false;
  const users = usersView(showError);
  const mappedUsers = mappedUsersView(showError);
  const mappedOrders = mappedOrdersView(showError);
  const orders = ordersView(showError);
  const nav = navigation({
    dashboard: dashboardView(showError),
    users: users.show,
    orders: orders.show,
    validation: validationView(showError, {
      user: (id) => {
        nav.go("users");
        void (mapped ? mappedUsers : users).open(String(id));
      },
      order: (id) => {
        nav.go("orders");
        void (mapped ? mappedOrders.open(String(id)) : orders.open(id));
      },
    }),
    notify: sendingView(showError),
    outbox: outboxView(showError),
    audit: auditView(showError),
    schema: schemaView(showError),
  }, showError);
  nav.palette(
    (id) => {
      nav.go("orders");
      void (mapped ? mappedOrders.open(String(id)) : orders.open(id));
    },
    (key) => {
      nav.go("users");
      void (mapped ? mappedUsers : users).open(key);
    },
  );
  const loadProfiles = profilesView(showError, (name) => void connect(name));

  let profileName = "";

  const showAttach = attachView(showError, (conn) => {
    byId("attach-view").hidden = true;
    toSignIn(conn);
    byId<HTMLInputElement>("signin-user").value = byId<HTMLInputElement>("attach-admin").value;
    byId<HTMLInputElement>("signin-password").focus();
  });

  /** The connection's header, and the sign-in form. */
  function toSignIn(conn: ConnectionView): void {
    mapped = conn.mapped;
    const problem = byId("mapping-banner");
    problem.hidden = conn.mapping_problem === null;
    problem.textContent = conn.mapping_problem ?? "";
    byId("signin-view").hidden = false;
    byId<HTMLInputElement>("signin-user").focus();
  }

  async function connect(name: string): Promise<void> {
    const button = document.querySelector<HTMLButtonElement>(`button[data-connect="${CSS.escape(name)}"]`);
    if (button) {
      button.disabled = true;
      button.textContent = "Connecting…";
    }
    try {
      const conn = await api.connect(name);
      profileName = conn.profile.name;
      const label = byId("connection-label");
      const preset = conn.preset === null ? "" : ` · ${conn.preset}`;
      label.textContent = `${conn.profile.name} — ${conn.label}${preset}${conn.profile.read_only ? " (read-only)" : ""}`;
      label.title = label.textContent;
      byId("connection-label").classList.toggle("read-only", conn.profile.read_only);
      byId("demo-banner").hidden = !conn.profile.demo;
      byId("disconnect").hidden = false;
      byId("profiles-view").hidden = true;
      showError(null);
      showNotice(null);
      if (conn.attached) {
        toSignIn(conn);
      } else {
        byId("attach-view").hidden = false;
        await showAttach();
      }
    } catch (e) {
      showError(e as ApiError);
    } finally {
      if (button) {
        button.disabled = false;
        button.textContent = "Connect";
      }
    }
  }

  async function signIn(): Promise<void> {
    const user = byId<HTMLInputElement>("signin-user");
    const password = byId<HTMLInputElement>("signin-password");
    const submit = byId<HTMLButtonElement>("signin-submit");
    submit.disabled = true;
    try {
      const me = await api.signIn(user.value, password.value);
      grant(me.permissions);
      const label = byId("operator-label");
      label.textContent = operatorLabel(me);
      // Where the full connection label has no room, the profile's name
      // still shows on hover over who is signed in.
      label.title = `${operatorLabel(me)} on profile ${profileName}`;
      label.hidden = false;
      byId("switch-operator").hidden = false;
      byId("signin-view").hidden = true;
      byId("nav").hidden = false;
      nav.only({});
      if (mapped) {
        nav.route("users", "musers-view", mappedUsers.show);
        nav.route("orders", "morders-view", mappedOrders.show);
      }
      showError(null);
      nav.go("dashboard");
    } catch (e) {
      showError(e as ApiError);
      password.select();
    } finally {
      // The password leaves the page as soon as it has been used.
      password.value = "";
      submit.disabled = false;
    }
  }

  /**
   * Signing out ends the connection and starts the page afresh: every
   * view's rows, caches, filters, open panels and answers still on their
   * way belong to the operator who was signed in, and none of it may be
   * seen by the next (a reload drops all of it at once, whatever view
   * holds it).
   */
  async function disconnect(reconnect: string | null = null): Promise<void> {
    await api.signOut().catch(() => undefined);
    await api.disconnect().catch(() => undefined);
    // Only the profile's name crosses the reload, to connect to it again.
    if (reconnect !== null) sessionStorage.setItem(RECONNECT, reconnect);
    window.location.reload();
  }

  byId("disconnect").addEventListener("click", () => void disconnect());
  // Another operator on the same profile: signed out, the page afresh,
  // connected again and asking for a name (nothing prefilled).
  byId("switch-operator").addEventListener("click", () => void disconnect(profileName));
  byId("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void signIn();
  });
  document.addEventListener("keydown", (e) => {
    // Esc closes the open panel (dialogs close themselves).
    if (e.key === "Escape" && !document.querySelector("dialog[open]")) {
      for (const id of PANELS) byId(id).hidden = true;
    }
  });
  const again = sessionStorage.getItem(RECONNECT);
  sessionStorage.removeItem(RECONNECT);
  if (again !== null) void loadProfiles().then(() => connect(again));
  else void loadProfiles();
}

if (typeof window !== "undefined" && "__TAURI_INTERNALS__" in window) {
  start();
}
