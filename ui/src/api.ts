// Typed calls to the Rust commands. Every failure arrives as {code, message}.
import { invoke } from "@tauri-apps/api/core";

import type { ConnectionView } from "./bindings/ConnectionView";
import type { ErrorBody } from "./bindings/ErrorBody";
import type { OperatorView } from "./bindings/OperatorView";
import type { ProfileView } from "./bindings/ProfileView";
import type { Page } from "./bindings/Page";
import type { PageRequest } from "./bindings/PageRequest";
import type { TableCount } from "./bindings/TableCount";
import type { TroubleCard } from "./bindings/TroubleCard";
import type { User } from "./bindings/User";
import type { UserAction } from "./bindings/UserAction";
import type { UserQuery } from "./bindings/UserQuery";

// The types come from the Rust types (ui/src/bindings, `make bindings`).
export type { Backend } from "./bindings/Backend";
export type { ErrorCode } from "./bindings/ErrorCode";
export type {
  ConnectionView,
  OperatorView,
  Page,
  PageRequest,
  ProfileView,
  TableCount,
  TroubleCard,
  User,
  UserAction,
  UserQuery,
};
export type ApiError = ErrorBody;

/** Anything thrown by invoke, as an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    return e as ApiError;
  }
  return { code: "internal", message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const api = {
  listProfiles: () => call<ProfileView[]>("list_profiles"),
  connect: (name: string) => call<ConnectionView>("connect", { name }),
  disconnect: () => call<void>("disconnect"),
  signIn: (username: string, password: string) =>
    call<OperatorView>("sign_in", { username, password }),
  signOut: () => call<void>("sign_out"),
  tableCounts: () => call<TableCount[]>("table_counts"),
  searchUsers: (query: UserQuery, page: PageRequest) =>
    call<Page<User>>("search_users", { query, page }),
  userCard: (key: string) => call<TroubleCard>("user_card", { key }),
  userAction: (userId: number, version: number, action: UserAction, reason: string | null) =>
    call<User>("user_action", { userId, version, action, reason }),
};
