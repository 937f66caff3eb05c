//! The real desktop app in a real (virtual) window, driven over WebDriver:
//! tauri-driver in front of WebKitWebDriver, as a person would click it.
//! Run under `scripts/with-session.sh` (make test does), which provides
//! the X display and the keychain.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use backoffice_core::db::{Backend, Db, OpenOptions, Target};
use backoffice_core::operators::sign_in;
use backoffice_core::profiles::{add_profile, Profile, ProfileStore};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::secrets::{MemoryStore, Secret};
use backoffice_core::seed::{seed, SeedOptions, DEMO_OPERATOR_PASSWORD};
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserAction};
use chrono::Utc;
use fantoccini::{Client, ClientBuilder, Locator};

const PAYLOAD: &str = "<img src=x onerror=alert(1)>";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")))
        .map(|dir| dir.join("tauri-driver"))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(|| {
        panic!("tauri-driver is not installed: run `make test` (or `scripts/deps.sh --test`), which installs it")
    })
}

/// tauri-driver, stopped when the test ends however it ends.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    async fn start(config_dir: &Path) -> Driver {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no X display: run the window tests with scripts/with-session.sh (make test does)"
        );
        let port = free_port();
        let child = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("BACKOFFICE_CONFIG_DIR", config_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so WebKitWebDriver and the app it
            // starts are stopped with it.
            .process_group(0)
            .spawn()
            .expect("start tauri-driver");
        // From here on, Drop stops the driver whatever happens.
        let driver = Driver { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tauri-driver did not listen on port {port}");
    }

    async fn open_app(&self) -> Result<Client, fantoccini::error::NewSessionError> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": env!("CARGO_BIN_EXE_backoffice-desktop") }),
        );
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
    }
}

/// Starts tauri-driver and the app behind it. tauri-driver now and then
/// drops the first new-session request while WebKitWebDriver comes up
/// (hyper: IncompleteMessage); a fresh driver on fresh ports gets through,
/// so a few attempts are made before the test fails, naming each error.
async fn start_app(config_dir: &Path) -> (Driver, Client) {
    const ATTEMPTS: u32 = 3;
    let mut errors = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let driver = Driver::start(config_dir).await;
        match driver.open_app().await {
            Ok(client) => return (driver, client),
            Err(e) => errors.push(format!("attempt {attempt}: {e}")),
        }
        drop(driver);
        tokio::time::sleep(Duration::from_secs(2 * u64::from(attempt))).await;
    }
    panic!(
        "could not start the app through tauri-driver (is webkit2gtk-driver installed? `make test` installs it):\n{}",
        errors.join("\n")
    );
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

async fn text_of(client: &Client, css: &str) -> String {
    let el = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"));
    el.text().await.unwrap()
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Waits until the element's text is `want` (the UI re-renders it).
async fn wait_text(client: &Client, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} says {last:?}, not {want:?}");
}

/// Fills in the sign-in form and submits it.
async fn sign_in_as(client: &Client, user: &str, password: &str) {
    for (id, text) in [("signin-user", user), ("signin-password", password)] {
        let field = client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    client
        .find(Locator::Id("signin-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_profiles_connects_and_shows_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("shop.db");
    let db = Db::open(
        &Target::sqlite_file(&db_path),
        OpenOptions {
            read_only: false,
            create_if_missing: true,
        },
    )
    .await
    .unwrap();
    seed(
        &db,
        &SeedOptions::new(120, 240, 3),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    // A user whose display name is a script payload: it must show as text.
    let admin = sign_in(
        &db,
        "admin",
        &Secret::new(DEMO_OPERATOR_PASSWORD),
        Utc::now(),
    )
    .await
    .unwrap();
    let ctx = Ctx::new(&db, &admin);
    let seven = users::show(&ctx, "7").await.unwrap().user;
    let rename = UserAction::ChangeDisplayName {
        display_name: PAYLOAD.into(),
    };
    users::apply(&ctx, 7, seven.version, rename, None)
        .await
        .unwrap();
    db.close().await;

    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let secrets = MemoryStore::default(); // SQLite profiles keep no secret
    let sqlite = |name: &str, path: &Path, demo: bool| Profile {
        name: name.into(),
        backend: Backend::Sqlite,
        host: None,
        port: None,
        database: path.display().to_string(),
        user: None,
        read_only: false,
        demo,
        mail: None,
    };
    add_profile(
        &store,
        &secrets,
        sqlite("demo", &db_path, true),
        None,
        false,
    )
    .unwrap();
    add_profile(
        &store,
        &secrets,
        sqlite("broken", &dir.path().join("gone.db"), false),
        None,
        false,
    )
    .unwrap();

    let (_driver, client) = start_app(dir.path()).await;

    // Both profiles are listed, the demo one with its badge.
    assert!(text_of(&client, "li[data-profile=demo]")
        .await
        .contains("demo"));
    assert!(text_of(&client, "li[data-profile=broken]")
        .await
        .contains("gone.db"));
    // Let the window paint before the picture is taken.
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(
        screenshot_path("profiles"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // A profile whose database is gone says so, in words.
    client
        .find(Locator::Css("button[data-connect=broken]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("SQLite database file not found"), "{error}");

    // The demo connects and shows the real row counts.
    client
        .find(Locator::Css("button[data-connect=demo]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Connected: the operator signs in, and a wrong password is refused
    // in words, with the password field emptied.
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    sign_in_as(&client, "admin", "not the password").await;
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("wrong operator name or password"), "{error}");
    let password = client.find(Locator::Id("signin-password")).await.unwrap();
    assert_eq!(password.prop("value").await.unwrap().as_deref(), Some(""));
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(
        screenshot_path("sign-in"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    sign_in_as(&client, "admin", DEMO_OPERATOR_PASSWORD).await;
    assert_eq!(
        text_of(&client, "#operator-label:not([hidden])").await,
        "admin (admin)"
    );

    let users = text_of(&client, "#counts tr[data-table=users] td.num").await;
    assert_eq!(users, "120");
    assert_eq!(
        text_of(&client, "#counts tr[data-table=orders] td.num").await,
        "240"
    );
    assert_eq!(
        text_of(&client, "#counts tr[data-table=admin_operators] td.num").await,
        "2"
    );
    let banner = client.find(Locator::Id("demo-banner")).await.unwrap();
    assert!(
        banner.is_displayed().await.unwrap(),
        "the demo banner shows"
    );
    assert!(!client
        .find(Locator::Id("error"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    std::fs::write(
        screenshot_path("connected"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // Search as you type: the payload user is found and shown as text, and
    // the trouble card opens on a click.
    let search = client.find(Locator::Id("user-search")).await.unwrap();
    search.send_keys("onerror").await.unwrap();
    // The only row left once the search has answered.
    let row = text_of(&client, "#users tbody tr[data-user='7']:only-child").await;
    assert!(row.contains(PAYLOAD), "{row}");
    assert!(client.find(Locator::Css("#users img")).await.is_err());
    client
        .find(Locator::Css("#users tbody tr[data-user='7']:only-child td"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        text_of(&client, "#card-view:not([hidden]) #card-title").await,
        PAYLOAD
    );
    // Lock from the card, with a reason.
    let reason = client.find(Locator::Id("action-reason")).await.unwrap();
    reason.send_keys("chargeback").await.unwrap();
    click(&client, "#action-submit").await;
    wait_text(&client, "#action-submit", "Unlock account").await;
    // Someone else unlocks it meanwhile; the window's unlock carries the
    // old version, is refused in words, and the card shows the account as
    // it is now.
    let db = Db::open(
        &Target::sqlite_file(&db_path),
        OpenOptions {
            read_only: false,
            create_if_missing: false,
        },
    )
    .await
    .unwrap();
    let support = sign_in(
        &db,
        "support",
        &Secret::new(DEMO_OPERATOR_PASSWORD),
        Utc::now(),
    )
    .await
    .unwrap();
    let ctx = Ctx::new(&db, &support);
    let now = users::show(&ctx, "7").await.unwrap().user;
    assert_eq!(now.status, "locked");
    users::apply(&ctx, 7, now.version, UserAction::Unlock, Some("phone call"))
        .await
        .unwrap();
    click(&client, "#action-submit").await;
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("changed by someone else"), "{error}");
    wait_text(&client, "#action-submit", "Lock account").await;
    let audit = users::show(&ctx, "7").await.unwrap().audit;
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.operator.as_str()))
        .collect();
    assert!(actions.contains(&("user.lock", "admin")), "{actions:?}");
    assert!(actions.contains(&("user.unlock", "support")), "{actions:?}");
    db.close().await;

    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(screenshot_path("users"), client.screenshot().await.unwrap()).unwrap();

    client.close().await.unwrap();
}
