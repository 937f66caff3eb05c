//! The test servers: their URLs (from the environment, or the local
//! servers' defaults), the account in them, and what to say when one is
//! not there.

use backoffice_core::db::Backend;

pub const POSTGRES_ENV: &str = "BACKOFFICE_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "BACKOFFICE_TEST_MYSQL_URL";
const POSTGRES_DEFAULT: &str = "postgres://backoffice_test:backoffice_test@127.0.0.1:5432/postgres";
const MYSQL_DEFAULT: &str = "mysql://backoffice_test:backoffice_test@127.0.0.1:3306/mysql";

pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

/// The server URL tests use for a backend.
pub fn server_url(backend: Backend) -> String {
    let (var, default) = match backend {
        Backend::Postgres => (POSTGRES_ENV, POSTGRES_DEFAULT),
        Backend::Mysql => (MYSQL_ENV, MYSQL_DEFAULT),
        Backend::Sqlite => return String::new(),
    };
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// A test server's account, in the parts a connection form asks for.
pub struct ServerAccount {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
}

/// The account of a backend's test server URL (user and password as they
/// appear in it).
pub fn server_account(backend: Backend) -> ServerAccount {
    let url = url::Url::parse(&server_url(backend)).expect("the test server URL parses");
    ServerAccount {
        host: url.host_str().unwrap_or("127.0.0.1").to_string(),
        port: url.port().or(backend.default_port()).unwrap_or_default(),
        user: url.username().to_string(),
        password: url.password().unwrap_or_default().to_string(),
        database: url.path().trim_start_matches('/').to_string(),
    }
}

pub(crate) fn how_to_start(backend: Backend) -> String {
    let var = if backend == Backend::Postgres {
        POSTGRES_ENV
    } else {
        MYSQL_ENV
    };
    format!(
        "{} is needed by this test and is not reachable at {}. Start it with \
         `scripts/services.sh` (or `make test`, which installs and starts it), \
         or point {var} at a server.",
        backend.display_name(),
        redact(&server_url(backend))
    )
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

/// Replaces the database part of a server URL.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_swap_and_redaction() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(with_database("mysql://u@h", "x"), "mysql://u@h/x");
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(redact("postgres://u:secret@h:1/d"), "postgres://…@h:1/d");
    }
}
