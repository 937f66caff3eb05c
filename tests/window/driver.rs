//! Driving the real app: tauri-driver in front of WebKitWebDriver, started
//! per test and stopped however the test ends, and small helpers to read,
//! click and wait as a person would.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use backoffice_core::db::Db;
use backoffice_core::operators::{sign_in, Operator};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::secrets::Secret;
use backoffice_core::seed::{seed, SeedOptions, DEMO_OPERATOR_PASSWORD};
use chrono::Utc;
use fantoccini::{Client, ClientBuilder, Locator};

/// Fills an empty database with demo data and signs in as its admin.
pub async fn seed_as_admin(db: &Db, users: u64, orders: u64, seed_value: u64) -> Operator {
    seed(
        db,
        &SeedOptions::new(users, orders, seed_value),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    sign_in(
        db,
        "admin",
        &Secret::new(DEMO_OPERATOR_PASSWORD),
        Utc::now(),
    )
    .await
    .unwrap()
}

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

/// The desktop binary: Cargo names it for tests; a benchmark (an example)
/// finds it beside its own directory, in the same profile.
pub fn app_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_backoffice-desktop") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the running executable");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/examples");
    let app = profile.join("backoffice-desktop");
    assert!(
        app.is_file(),
        "{} is missing: build it first (cargo build -p backoffice-desktop)",
        app.display()
    );
    app
}

/// tauri-driver, stopped when the test ends however it ends.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    async fn start(config_dir: &Path, env: &[(&str, &str)]) -> Driver {
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
            .envs(env.iter().copied())
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
            serde_json::json!({ "application": app_binary() }),
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
pub async fn start_app(config_dir: &Path) -> (Driver, Client) {
    start_app_with(config_dir, &[]).await
}

/// As [`start_app`], with more environment for the app (tauri-driver
/// passes its own on).
pub async fn start_app_with(config_dir: &Path, env: &[(&str, &str)]) -> (Driver, Client) {
    const ATTEMPTS: u32 = 3;
    let mut errors = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let driver = Driver::start(config_dir, env).await;
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

pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

/// What an element says, as the page renders it (`innerText`). WebDriver's
/// own element text leaves out what a list cuts short with an ellipsis
/// (`overflow: hidden`), though the page shows its start and the whole
/// value on hover.
async fn shown_text(
    el: &fantoccini::elements::Element,
) -> Result<String, fantoccini::error::CmdError> {
    Ok(el
        .prop("innerText")
        .await?
        .unwrap_or_default()
        .trim()
        .to_string())
}

/// The text of the first element matching `css`, waiting for it to exist.
/// The window re-renders lists as answers arrive, so an element found may
/// be replaced before its text is read: then it is looked up again.
pub async fn text_of(client: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..5 {
        let el = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        match shown_text(&el).await {
            Ok(text) => return text,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} kept being replaced while read: {last}");
}

/// Clicks the first element matching `css`, waiting for it to exist and
/// looking it up again if the window replaced it in between (a page that
/// reloads while the lookup runs ends the lookup: it is tried again).
pub async fn click(client: &Client, css: &str) {
    let mut last = String::new();
    for _ in 0..5 {
        let found = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await;
        let el = match found {
            Ok(el) => el,
            Err(e) => {
                last = format!("no element: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        match el.click().await {
            Ok(()) => return,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot click {css}: {last}");
}

/// Waits until the element's text is `want` (the UI re-renders it).
pub async fn wait_text(client: &Client, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = shown_text(&el).await.unwrap_or_default();
            if last == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} says {last:?}, not {want:?}");
}

/// Empties the field with this id and types `text` into it.
pub async fn fill(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Waits until what `css` shows stops changing (a filtered list reloads
/// once per debounced keystroke): the same text twice, 600 ms apart.
pub async fn settled(client: &Client, css: &str) -> String {
    let mut last = None;
    for _ in 0..50 {
        let now = match client.find(Locator::Css(css)).await {
            Ok(el) => shown_text(&el).await.ok(),
            Err(_) => None,
        };
        if now.is_some() && now == last {
            return now.unwrap_or_default();
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    panic!("{css} kept changing: {last:?}");
}

/// Saves what the window shows as target/screenshots/NAME.png, once it
/// has painted.
pub async fn picture(client: &Client, name: &str) {
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::write(screenshot_path(name), client.screenshot().await.unwrap()).unwrap();
}

/// Waits until the element's text contains `want`.
pub async fn wait_contains(client: &Client, css: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..300 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = shown_text(&el).await.unwrap_or_default();
            if last.contains(want) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} says {last:?}, which does not contain {want:?}");
}

/// Fills in the sign-in form and submits it.
pub async fn sign_in_as(client: &Client, user: &str, password: &str) {
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

/// Answers the system's save dialog titled `title` with `path`, as a
/// person would type it (GTK takes a full path in the name field).
pub async fn save_as(title: &str, path: &std::path::Path) {
    let title = title.to_string();
    let path = path.display().to_string();
    let xdotool = |args: &[&str]| {
        let out = Command::new("xdotool")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("xdotool is not installed ({e}): `make test` installs it"));
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    tokio::task::spawn_blocking(move || {
        let mut window = String::new();
        for _ in 0..100 {
            let found = Command::new("xdotool")
                .args(["search", "--name", &title])
                .output()
                .expect("xdotool");
            window = String::from_utf8_lossy(&found.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            if !window.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(!window.is_empty(), "no save dialog titled {title:?} opened");
        // Let GTK finish laying the dialog out before typing into it.
        std::thread::sleep(Duration::from_millis(700));
        xdotool(&["windowfocus", "--sync", &window]);
        xdotool(&["key", "--window", &window, "ctrl+a"]);
        xdotool(&["type", "--window", &window, "--delay", "20", &path]);
        xdotool(&["key", "--window", &window, "Return"]);
    })
    .await
    .unwrap();
}
