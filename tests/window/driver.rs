//! Driving the real app: tauri-driver in front of WebKitWebDriver, started
//! per test and stopped however the test ends, and small helpers to read,
//! click and wait as a person would.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

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
pub struct Driver {
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
pub async fn start_app(config_dir: &Path) -> (Driver, Client) {
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

pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

pub async fn text_of(client: &Client, css: &str) -> String {
    let el = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"));
    el.text().await.unwrap()
}

pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Waits until the element's text is `want` (the UI re-renders it).
pub async fn wait_text(client: &Client, css: &str, want: &str) {
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
