//! Builds the Tauri context. Our commands are declared in the app manifest,
//! so each needs an explicit `allow-<command>` grant in a capability.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_profiles",
    "connect",
    "disconnect",
    "sign_in",
    "sign_out",
    "search_users",
    "user_card",
    "user_action",
    "table_counts",
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
