// Typed calls to the Rust commands. Every failure arrives as {code, message}.
import { Channel, invoke } from "@tauri-apps/api/core";

import type { Audience } from "./bindings/Audience";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { BulkChange } from "./bindings/BulkChange";
import type { BulkOutcome } from "./bindings/BulkOutcome";
import type { BulkPreview } from "./bindings/BulkPreview";
import type { BulkSendPreview } from "./bindings/BulkSendPreview";
import type { BulkSendReport } from "./bindings/BulkSendReport";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { AttachRequest } from "./bindings/AttachRequest";
import type { IndexView } from "./bindings/IndexView";
import type { SchemaView } from "./bindings/SchemaView";
import type { Draft } from "./bindings/Draft";
import type { DraftConcept } from "./bindings/DraftConcept";
import type { DraftStatus } from "./bindings/DraftStatus";
import type { Problem } from "./bindings/Problem";
import type { TableColumns } from "./bindings/TableColumns";
import type { DetectView } from "./bindings/DetectView";
import type { ConnectionView } from "./bindings/ConnectionView";
import type { Dashboard } from "./bindings/Dashboard";
import type { ErrorBody } from "./bindings/ErrorBody";
import type { ExportDone } from "./bindings/ExportDone";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { Finding } from "./bindings/Finding";
import type { EntityFix } from "./bindings/EntityFix";
import type { FixPreview } from "./bindings/FixPreview";
import type { FixReport } from "./bindings/FixReport";
import type { FreeForm } from "./bindings/FreeForm";
import type { FindingFilter } from "./bindings/FindingFilter";
import type { MailStatus } from "./bindings/MailStatus";
import type { MappedCard } from "./bindings/MappedCard";
import type { MappedChange } from "./bindings/MappedChange";
import type { MappedOrder } from "./bindings/MappedOrder";
import type { MappedOrderQuery } from "./bindings/MappedOrderQuery";
import type { MappedPreview } from "./bindings/MappedPreview";
import type { MappedStory } from "./bindings/MappedStory";
import type { MappedUser } from "./bindings/MappedUser";
import type { Offer } from "./bindings/Offer";
import type { Note } from "./bindings/Note";
import type { OperatorView } from "./bindings/OperatorView";
import type { Order } from "./bindings/Order";
import type { OrderChange } from "./bindings/OrderChange";
import type { OrderQuery } from "./bindings/OrderQuery";
import type { OrderSort } from "./bindings/OrderSort";
import type { OrderStory } from "./bindings/OrderStory";
import type { OutboxFilter } from "./bindings/OutboxFilter";
import type { Attempt } from "./bindings/Attempt";
import type { OutboxMessage } from "./bindings/OutboxMessage";
import type { OutboxView } from "./bindings/OutboxView";
import type { LastRun } from "./bindings/LastRun";
import type { Page } from "./bindings/Page";
import type { PageRequest } from "./bindings/PageRequest";
import type { Preview } from "./bindings/Preview";
import type { ProfileDraft } from "./bindings/ProfileDraft";
import type { ProfileView } from "./bindings/ProfileView";
import type { Progress } from "./bindings/Progress";
import type { Rendered } from "./bindings/Rendered";
import type { RuleCount } from "./bindings/RuleCount";
import type { RuleInfo } from "./bindings/RuleInfo";
import type { RunReport } from "./bindings/RunReport";
import type { Selection } from "./bindings/Selection";
import type { Sent } from "./bindings/Sent";
import type { TableCount } from "./bindings/TableCount";
import type { Template } from "./bindings/Template";
import type { TemplateInfo } from "./bindings/TemplateInfo";
import type { Triggered } from "./bindings/Triggered";
import type { TroubleCard } from "./bindings/TroubleCard";
import type { User } from "./bindings/User";
import type { UserAction } from "./bindings/UserAction";
import type { UserQuery } from "./bindings/UserQuery";
import type { VerifyReport } from "./bindings/VerifyReport";

// The types come from the Rust types (ui/src/bindings, `make bindings`).
export type { Backend } from "./bindings/Backend";
export type { ErrorCode } from "./bindings/ErrorCode";
export type { OrderStatus } from "./bindings/OrderStatus";
export type { StatusCount } from "./bindings/StatusCount";
export type {
  AttachRequest,
  Audience,
  AuditEntry,
  AuditFilter,
  BulkChange,
  BulkOutcome,
  BulkPreview,
  BulkSendPreview,
  BulkSendReport,
  ConnectionView,
  Dashboard,
  Draft,
  DraftConcept,
  DraftStatus,
  DetectView,
  ExportDone,
  ExportRequest,
  Finding,
  IndexView,
  FindingFilter,
  EntityFix,
  FixPreview,
  FixReport,
  FreeForm,
  MailStatus,
  MappedCard,
  MappedChange,
  MappedOrder,
  MappedOrderQuery,
  MappedPreview,
  MappedStory,
  MappedUser,
  Offer,
  Note,
  OperatorView,
  Order,
  OrderChange,
  OrderQuery,
  OrderSort,
  OrderStory,
  OutboxFilter,
  Attempt,
  OutboxMessage,
  OutboxView,
  LastRun,
  Page,
  PageRequest,
  Problem,
  Preview,
  ProfileDraft,
  ProfileView,
  Progress,
  Rendered,
  SchemaView,
  RuleCount,
  RuleInfo,
  RunReport,
  Selection,
  Sent,
  TableColumns,
  TableCount,
  Template,
  TemplateInfo,
  Triggered,
  TroubleCard,
  User,
  UserAction,
  UserQuery,
  VerifyReport,
};
export type ApiError = ErrorBody;

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Anything thrown by invoke, as an ApiError. */
export function toApiError(e: unknown): ApiError {
  return isApiError(e) ? e : { code: "internal", message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

let jobs = 0;
/** A fresh id for a long operation the window may cancel. */
export function jobId(kind: string): string {
  jobs += 1;
  return `${kind}-${Date.now()}-${jobs}`;
}

/**
 * Calls a long command that reports progress on a channel. A channel keeps
 * its own messages in order but not with the command's answer: the last
 * report may arrive after it, and would overwrite the result shown. Those
 * late reports are dropped.
 */
async function withProgress<T>(command: string, args: Record<string, unknown>, onProgress: (p: Progress) => void): Promise<T> {
  let answered = false;
  const channel = new Channel<Progress>();
  channel.onmessage = (p) => {
    if (!answered) onProgress(p);
  };
  try {
    return await call<T>(command, { ...args, onProgress: channel });
  } finally {
    answered = true;
  }
}

export const api = {
  listProfiles: () => call<ProfileView[]>("list_profiles"),
  addProfile: (draft: ProfileDraft) => call<ProfileView>("add_profile", { draft }),
  testProfile: (name: string) => call<string>("test_profile", { name }),
  removeProfile: (name: string) => call<void>("remove_profile", { name }),
  updateProfile: (draft: ProfileDraft) => call<ProfileView>("update_profile", { draft }),
  connect: (name: string) => call<ConnectionView>("connect", { name }),
  disconnect: () => call<void>("disconnect"),
  signIn: (username: string, password: string) =>
    call<OperatorView>("sign_in", { username, password }),
  signOut: () => call<void>("sign_out"),
  dashboard: () => call<Dashboard>("dashboard"),
  tableCounts: () => call<TableCount[]>("table_counts"),
  detectBackend: () => call<DetectView>("detect_backend"),
  attachBackend: (request: AttachRequest) => call<ConnectionView>("attach_backend", { request }),
  schemaPage: () => call<SchemaView>("schema_page"),
  mappingCatalogue: () => call<TableColumns[]>("mapping_catalogue"),
  openMappingDraft: () => call<Draft>("open_mapping_draft"),
  editMappingDraft: (text: string, concept: string, name: string) => call<Draft>("edit_mapping_draft", { text, concept, name }),
  setMappingStatus: (text: string, word: string, declared: boolean, roles: string[], moves: string[]) =>
    call<Draft>("set_mapping_status", { text, word, declared, roles, moves }),
  saveMappingDraft: (text: string) => call<Draft>("save_mapping_draft", { text }),
  createSearchIndexes: (job: string, onProgress: (p: Progress) => void) =>
    withProgress<IndexView[]>("create_search_indexes", { job }, onProgress),
  searchUsers: (query: UserQuery, page: PageRequest) =>
    call<Page<User>>("search_users", { query, page }),
  userCard: (key: string) => call<TroubleCard>("user_card", { key }),
  searchMappedUsers: (query: UserQuery, page: PageRequest) =>
    call<Page<MappedUser>>("search_mapped_users", { query, page }),
  mappedUserCard: (key: string) => call<MappedCard>("mapped_user_card", { key }),
  mappedUserAction: (key: string, version: string, action: UserAction, reason: string | null) =>
    call<MappedCard>("mapped_user_action", { key, version, action, reason }),
  userAction: (userId: number, version: number, action: UserAction, reason: string | null) =>
    call<User>("user_action", { userId, version, action, reason }),
  listOrders: (query: OrderQuery, page: PageRequest) =>
    call<Page<Order>>("list_orders", { query, page }),
  listMappedOrders: (query: MappedOrderQuery, page: PageRequest) =>
    call<Page<MappedOrder>>("list_mapped_orders", { query, page }),
  mappedOrderStory: (id: string) => call<MappedStory>("mapped_order_story", { id }),
  previewMappedOrderChange: (id: string, version: string, change: MappedChange) =>
    call<MappedPreview>("preview_mapped_order_change", { id, version, change }),
  commitMappedOrderChange: (id: string, version: string, change: MappedChange, reason: string | null) =>
    call<MappedStory>("commit_mapped_order_change", { id, version, change, reason }),
  orderStory: (orderId: number) => call<OrderStory>("order_story", { orderId }),
  previewOrderChange: (orderId: number, version: number, change: OrderChange) =>
    call<Preview>("preview_order_change", { orderId, version, change }),
  commitOrderChange: (preview: Preview, reason: string | null) =>
    call<Order>("commit_order_change", { preview, reason }),
  addOrderNote: (orderId: number, body: string) => call<Note>("add_order_note", { orderId, body }),
  previewBulkOrders: (selection: Selection, change: BulkChange, job: string, onProgress: (p: Progress) => void) =>
    withProgress<BulkPreview>("preview_bulk_orders", { selection, change, job }, onProgress),
  commitBulkOrders: (previews: Preview[], reason: string | null, job: string, onProgress: (p: Progress) => void) =>
    withProgress<BulkOutcome[]>("commit_bulk_orders", { previews, reason, job }, onProgress),
  validationRules: () => call<RuleInfo[]>("validation_rules"),
  runValidation: (job: string, onProgress: (p: Progress) => void) =>
    withProgress<RunReport>("run_validation", { job }, onProgress),
  cancelJob: (job: string) => call<boolean>("cancel_job", { job }),
  lastValidationRun: () => call<LastRun | null>("last_validation_run"),
  findingsSummary: () => call<RuleCount[]>("findings_summary"),
  listFindings: (filter: FindingFilter, page: PageRequest) =>
    call<Page<Finding>>("list_findings", { filter, page }),
  previewFix: (fixId: string, only: number[] | null = null) => call<FixPreview>("preview_fix", { fixId, only }),
  applyFix: (preview: FixPreview, reason: string | null, job: string, onProgress: (p: Progress) => void) =>
    withProgress<FixReport>("apply_fix", { preview, reason, job }, onProgress),
  acceptFinding: (id: number, version: number, reason: string) =>
    call<Finding>("accept_finding", { id, version, reason }),
  listTemplates: () => call<TemplateInfo[]>("list_templates"),
  mailStatus: () => call<MailStatus>("mail_status"),
  previewNotification: (template: Template, user: string | null, order: string | null, message: FreeForm | null) =>
    call<Rendered>("preview_notification", { template, user, order, message }),
  sendNotification: (
    template: Template,
    user: string | null,
    order: string | null,
    message: FreeForm | null,
    force: boolean,
    reason: string | null,
  ) => call<Triggered>("send_notification", { template, user, order, message, force, reason }),
  previewBulkNotification: (template: Template, audience: Audience, message: FreeForm | null) =>
    call<BulkSendPreview>("preview_bulk_notification", { template, audience, message }),
  sendBulkNotification: (
    template: Template,
    audience: Audience,
    message: FreeForm | null,
    reason: string | null,
    job: string,
    onProgress: (p: Progress) => void,
  ) =>
    withProgress<BulkSendReport>("send_bulk_notification", { template, audience, message, reason, job }, onProgress),
  listOutbox: (filter: OutboxFilter, page: PageRequest) =>
    call<Page<OutboxMessage>>("list_outbox", { filter, page }),
  showOutbox: (id: number) => call<OutboxView>("show_outbox", { id }),
  retryOutbox: (id: number, reason: string | null) => call<OutboxMessage>("retry_outbox", { id, reason }),
  cancelOutbox: (id: number, reason: string | null) => call<OutboxMessage>("cancel_outbox", { id, reason }),
  listAudit: (filter: AuditFilter, page: PageRequest) =>
    call<Page<AuditEntry>>("list_audit", { filter, page }),
  verifyAudit: (job: string) => call<VerifyReport>("verify_audit", { job }),
  exportCsv: (request: ExportRequest, job: string, onProgress: (p: Progress) => void) =>
    withProgress<ExportDone | null>("export_csv", { request, job }, onProgress),
};
