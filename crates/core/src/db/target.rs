//! What to connect to: parsed from a URL (`--db`) or built from a profile.
//! A target never prints its password: [`Target::describe`] is the only
//! way it is shown, and it leaves the password out.

use std::path::Path;
use std::str::FromStr;

use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::Backend;
use crate::secrets::Secret;
use crate::{Error, Result};

#[derive(Clone)]
pub enum Target {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
    Mysql(MySqlConnectOptions),
}

/// The parts of a server connection a profile holds.
pub struct ServerParams<'a> {
    pub host: &'a str,
    pub port: Option<u16>,
    pub database: &'a str,
    pub user: &'a str,
    pub password: Option<&'a Secret>,
}

impl Target {
    /// Parses `sqlite:`, `postgres:`/`postgresql:` and `mysql:`/`mariadb:`
    /// URLs. The error never repeats the URL, which may hold a password.
    pub fn parse_url(url: &str) -> Result<Target> {
        let url = url.trim();
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        let malformed = |what: &str| {
            Error::validation(format!(
                "malformed {what} URL: expected {}",
                match what {
                    "SQLite" => "sqlite:PATH or sqlite::memory:",
                    "PostgreSQL" => "postgres://USER@HOST:PORT/DATABASE",
                    _ => "mysql://USER@HOST:PORT/DATABASE",
                }
            ))
        };
        match scheme.as_str() {
            "sqlite" => SqliteConnectOptions::from_str(url)
                .map(Target::Sqlite)
                .map_err(|_| malformed("SQLite")),
            "postgres" | "postgresql" => PgConnectOptions::from_str(url)
                .map(Target::Postgres)
                .map_err(|_| malformed("PostgreSQL")),
            "mysql" | "mariadb" => {
                let rest = &url[scheme.len()..];
                MySqlConnectOptions::from_str(&format!("mysql{rest}"))
                    .map(Target::Mysql)
                    .map_err(|_| malformed("MySQL"))
            }
            "" => Err(Error::validation(
                "a database URL must start with sqlite:, postgres: or mysql:/mariadb:",
            )),
            other => Err(Error::validation(format!(
                "unsupported database URL scheme '{other}:'; use sqlite:, postgres: or mysql:/mariadb:"
            ))),
        }
    }

    pub fn sqlite_file(path: &Path) -> Target {
        Target::Sqlite(SqliteConnectOptions::new().filename(path))
    }

    pub fn server(backend: Backend, p: ServerParams<'_>) -> Result<Target> {
        if p.host.trim().is_empty() {
            return Err(Error::validation("a host is required"));
        }
        if p.database.trim().is_empty() {
            return Err(Error::validation("a database name is required"));
        }
        let port = p.port.or(backend.default_port()).unwrap_or_default();
        match backend {
            Backend::Sqlite => Err(Error::internal("SQLite has no server")),
            Backend::Postgres => {
                let mut o = PgConnectOptions::new()
                    .host(p.host)
                    .port(port)
                    .database(p.database)
                    .username(p.user);
                if let Some(pw) = p.password {
                    o = o.password(pw.expose());
                }
                Ok(Target::Postgres(o))
            }
            Backend::Mysql => {
                let mut o = MySqlConnectOptions::new()
                    .host(p.host)
                    .port(port)
                    .database(p.database)
                    .username(p.user);
                if let Some(pw) = p.password {
                    o = o.password(pw.expose());
                }
                Ok(Target::Mysql(o))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
            Target::Mysql(_) => Backend::Mysql,
        }
    }

    /// Where this is, for people: never includes a password.
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite(o) => format!("SQLite file {}", o.get_filename().display()),
            Target::Postgres(o) => format!(
                "PostgreSQL database '{}' at {}:{} as {}",
                o.get_database().unwrap_or(""),
                o.get_host(),
                o.get_port(),
                o.get_username()
            ),
            Target::Mysql(o) => format!(
                "MySQL/MariaDB database '{}' at {}:{} as {}",
                o.get_database().unwrap_or(""),
                o.get_host(),
                o.get_port(),
                o.get_username()
            ),
        }
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(
            Target::parse_url("sqlite::memory:").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            Target::parse_url("postgresql://u@h/d").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            Target::parse_url("mariadb://u@h:3307/d").unwrap().backend(),
            Backend::Mysql
        );
        let err = Target::parse_url("mongodb://h/d").unwrap_err();
        assert!(err
            .to_string()
            .contains("unsupported database URL scheme 'mongodb:'"));
        assert!(Target::parse_url("just-a-path").is_err());
    }

    #[test]
    fn describe_never_shows_the_password() {
        let t = Target::parse_url("postgres://bob:hunter2@db.example:6543/shop").unwrap();
        let text = format!("{} {:?}", t.describe(), t);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("db.example:6543"), "{text}");
        let t = Target::parse_url("mysql://bob:hunter2@db.example/shop").unwrap();
        assert!(!t.describe().contains("hunter2"));
    }
}
