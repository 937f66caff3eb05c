//! Builds the Tauri context. Our commands are declared in the app manifest,
//! so each needs an explicit `allow-<command>` grant in a capability.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_profiles",
    "add_profile",
    "test_profile",
    "remove_profile",
    "update_profile",
    "connect",
    "disconnect",
    "sign_in",
    "sign_out",
    "dashboard",
    "table_counts",
    "detect_backend",
    "attach_backend",
    "schema_page",
    "create_search_indexes",
    "mapping_catalogue",
    "open_mapping_draft",
    "edit_mapping_draft",
    "save_mapping_draft",
    "search_users",
    "user_card",
    "user_action",
    "search_mapped_users",
    "mapped_user_card",
    "mapped_user_action",
    "list_orders",
    "list_mapped_orders",
    "mapped_order_story",
    "preview_mapped_order_change",
    "commit_mapped_order_change",
    "order_story",
    "preview_order_change",
    "commit_order_change",
    "add_order_note",
    "preview_bulk_orders",
    "commit_bulk_orders",
    "validation_rules",
    "run_validation",
    "cancel_job",
    "findings_summary",
    "last_validation_run",
    "list_findings",
    "accept_finding",
    "preview_fix",
    "apply_fix",
    "preview_notification",
    "send_notification",
    "list_outbox",
    "show_outbox",
    "retry_outbox",
    "cancel_outbox",
    "list_templates",
    "mail_status",
    "preview_bulk_notification",
    "send_bulk_notification",
    "list_audit",
    "verify_audit",
    "export_csv",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
