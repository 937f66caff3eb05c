//! The `backoffice` binary run as a script runs it: its own config and data
//! folders, and the operator password in the environment when set.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub struct Cli {
    pub config: tempfile::TempDir,
    pub data: tempfile::TempDir,
    /// The operator password the next commands sign in with.
    pub password: Option<String>,
    /// More environment for the next commands.
    pub env: Vec<(String, String)>,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            config: tempfile::tempdir().unwrap(),
            data: tempfile::tempdir().unwrap(),
            password: None,
            env: Vec::new(),
        }
    }

    /// The command with this test's folders and password, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_backoffice"));
        match &self.password {
            Some(p) => cmd.env("BACKOFFICE_PASSWORD", p),
            None => cmd.env_remove("BACKOFFICE_PASSWORD"),
        };
        cmd.args(args)
            .env("BACKOFFICE_CONFIG_DIR", self.config.path())
            .env("BACKOFFICE_DATA_DIR", self.data.path())
            .env_remove("BACKOFFICE_DB")
            .env_remove("BACKOFFICE_PROFILE")
            .env_remove("BACKOFFICE_OPERATOR")
            .env_remove("CREDENTIALS_DIRECTORY");
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run backoffice");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "backoffice {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Adds an admin to the database at `db` and signs the next commands
    /// in with their password.
    pub fn sign_in_as_new_admin(&mut self, db: &str, name: &str) {
        let pw = "a long enough password";
        let add = [
            "--db",
            db,
            "operator",
            "add",
            name,
            "--role",
            "admin",
            "--password-stdin",
        ];
        self.ok(&add, Some(&format!("{pw}\n")));
        self.password = Some(pw.into());
    }

    /// Runs a command that must fail: returns (exit code, stderr).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args, None);
        assert!(
            !out.status.success(),
            "backoffice {args:?} should have failed"
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "one clear line, got: {stderr}"
        );
        (out.status.code().unwrap_or(-1), stderr)
    }

    /// Seeds a SQLite file in this test's data folder with the demo data
    /// and saves it as profile `name`; returns the file's path.
    pub fn seeded_profile(&self, name: &str, users: u32, orders: u32) -> String {
        let path = self.data.path().join(format!("{name}.db"));
        let url = format!("sqlite:{}", path.display());
        let (users, orders) = (users.to_string(), orders.to_string());
        self.ok(
            &["--db", &url, "seed", "--users", &users, "--orders", &orders],
            None,
        );
        let path = path.display().to_string();
        let add = [
            "profile",
            "add",
            name,
            "--backend",
            "sqlite",
            "--database",
            &path,
        ];
        self.ok(&add, None);
        path
    }

    /// Sends the profile's mail through an SMTP server on loopback, without
    /// encryption; `extra` adds options (`--rate`, `--smtp-user` …).
    pub fn loopback_mail(&self, profile: &str, port: u16, extra: &[&str]) -> String {
        let port = port.to_string();
        let mut args = vec![
            "profile",
            "mail",
            profile,
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--security",
            "none",
            "--from",
            "Shop <no-reply@shop.example>",
            "--link-base",
            "https://shop.example",
        ];
        args.extend_from_slice(extra);
        self.ok(&args, None)
    }
}
