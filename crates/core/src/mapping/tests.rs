use super::catalogue::Catalogue;
use super::detect::detect_in;
use super::*;
use crate::db::Backend;

fn cat(backend: Backend, tables: &[(&str, &[(&str, &str)])]) -> Catalogue {
    let rows = tables
        .iter()
        .flat_map(|(t, cols)| {
            cols.iter()
                .map(move |(c, ty)| (t.to_string(), c.to_string(), ty.to_string()))
        })
        .collect();
    Catalogue::from_rows(backend, rows)
}

/// Django's auth_user as its migrations make it on PostgreSQL, with axes
/// and allauth beside it.
fn django_pg() -> Catalogue {
    cat(
        Backend::Postgres,
        &[
            (
                "auth_user",
                &[
                    ("id", "integer"),
                    ("password", "character varying"),
                    ("last_login", "timestamp with time zone"),
                    ("is_superuser", "boolean"),
                    ("username", "character varying"),
                    ("first_name", "character varying"),
                    ("last_name", "character varying"),
                    ("email", "character varying"),
                    ("is_staff", "boolean"),
                    ("is_active", "boolean"),
                    ("date_joined", "timestamp with time zone"),
                ],
            ),
            (
                "auth_group",
                &[("id", "integer"), ("name", "character varying")],
            ),
            (
                "auth_user_groups",
                &[
                    ("id", "bigint"),
                    ("user_id", "integer"),
                    ("group_id", "integer"),
                ],
            ),
            (
                "axes_accessattempt",
                &[
                    ("id", "integer"),
                    ("username", "character varying"),
                    ("failures_since_start", "integer"),
                ],
            ),
            (
                "account_emailaddress",
                &[
                    ("id", "integer"),
                    ("user_id", "integer"),
                    ("email", "character varying"),
                    ("verified", "boolean"),
                    ("primary", "boolean"),
                ],
            ),
        ],
    )
}

#[test]
fn django_with_axes_and_allauth_is_recognised_and_round_trips() {
    let d = detect_in(&django_pg(), "test").unwrap();
    assert_eq!(d.preset, "django + axes + allauth");
    let lock = d.capabilities.iter().find(|c| c.name == "lockout").unwrap();
    assert!(lock.works && lock.detail.contains("reaches 3"), "{lock:?}");
    let history = d
        .capabilities
        .iter()
        .find(|c| c.name == "sign-in history")
        .unwrap();
    assert!(!history.works);
    assert_eq!(
        history.detail,
        "no sign-in history: no login table; the trouble card shows the last sign-in only"
    );
    assert!(d.notes[0].contains("AXES_FAILURE_LIMIT"));
    let text = d.mapping.to_toml();
    assert_eq!(Mapping::parse(&text).unwrap(), d.mapping, "{text}");
}

#[test]
fn a_syntax_error_names_its_line() {
    let err = Mapping::parse("format = 1\n[user\ntable = 'x'\n").unwrap_err();
    assert!(err.to_string().starts_with("line 2, column"), "{err}");
}

#[test]
fn unknown_keys_bad_names_and_other_formats_are_refused() {
    let base = "format = 1\n[user]\ntable = 'members'\nkey = 'code'\nemail = 'mail'\n";
    assert!(Mapping::parse(base).is_ok());
    let err = Mapping::parse(&format!("{base}emial = 'x'\n")).unwrap_err();
    assert!(err.to_string().contains("unknown field `emial`"), "{err}");
    let err = Mapping::parse(&base.replace("'mail'", "'mail; DROP TABLE members'")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "user.email: 'mail; DROP TABLE members' is not a table or column name"
    );
    let err = Mapping::parse(&base.replace("format = 1", "format = 2")).unwrap_err();
    assert!(err.to_string().contains("format 2 is not one"), "{err}");
    let err = Mapping::parse(&format!(
        "{base}[user.active]\nkind = 'sometimes'\ncolumn = 'x'\n"
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown variant `sometimes`"),
        "{err}"
    );
}

#[test]
fn check_names_each_missing_table_column_and_unfit_type() {
    let mut m = detect_in(&django_pg(), "test").unwrap().mapping;
    let user = m.user.as_mut().unwrap();
    user.email = "mail".into();
    user.created = Some("is_staff".into());
    if let Some(Lock::Attempts { table, .. }) = &mut user.lock {
        *table = "axes_attempts".into();
    }
    let problems: Vec<String> = check::against(&m, &django_pg())
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0]
        .starts_with("user.email: table auth_user has no column mail (it has id, password"));
    assert_eq!(
        problems[1],
        "user.created: auth_user.is_staff is boolean, which cannot hold a date and time"
    );
    assert_eq!(
        problems[2],
        "user.lock.table: the database has no table axes_attempts"
    );
}

#[test]
fn a_schema_no_preset_knows_is_not_guessed() {
    let c = cat(
        Backend::Sqlite,
        &[("members", &[("code", "TEXT"), ("mail", "TEXT")])],
    );
    let err = detect_in(&c, "shop.db").unwrap_err();
    assert!(
        err.to_string()
            .contains("no preset recognises shop.db (1 tables: members)"),
        "{err}"
    );
}
