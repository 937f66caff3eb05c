// Typed calls to the Rust commands. Every failure arrives as {code, message}.
import { invoke } from "@tauri-apps/api/core";

export type ErrorCode =
  | "validation"
  | "conflict"
  | "forbidden"
  | "not_found"
  | "unavailable"
  | "internal";

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Backend = "sqlite" | "postgres" | "mysql";

export interface ProfileView {
  name: string;
  backend: Backend;
  location: string;
  read_only: boolean;
  demo: boolean;
}

export interface ConnectionView {
  profile: ProfileView;
  label: string;
  server: string;
}

export interface TableCount {
  table: string;
  rows: number;
}

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
  tableCounts: () => call<TableCount[]>("table_counts"),
};
