//! Profiles: an edit keeps what its form does not show.

use super::*;
use crate::secrets::MemoryStore;

fn server(host: &str) -> Profile {
    Profile {
        name: "shop".into(),
        backend: Backend::Postgres,
        host: Some(host.into()),
        port: None,
        database: "shop".into(),
        user: Some("support".into()),
        keychain: None,
        read_only: false,
        demo: false,
        mail: None,
        mapping: None,
        backend_secret: false,
        webhook_secret: false,
    }
}

#[test]
fn an_edit_keeps_what_the_form_does_not_show() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let secrets = MemoryStore::default();
    let key = SecretKey::Database("shop".into());
    let mut first = server("db1");
    first.mapping = Some("shop.toml".into());
    add_profile(&store, &secrets, first, Some(Secret::new("pw1")), false).unwrap();

    // No new password: the stored one and the mapping stay.
    let mut edited = server("db2");
    edited.read_only = true;
    edit_profile(&store, &secrets, edited, None).unwrap();
    let now = store.get("shop").unwrap();
    assert_eq!(now.host.as_deref(), Some("db2"));
    assert!(now.read_only);
    assert_eq!(now.mapping, Some(PathBuf::from("shop.toml")));
    assert_eq!(now.keychain, Some(true));
    assert_eq!(secrets.get(&key).unwrap().unwrap().expose(), "pw1");

    // A new one replaces it; a SQLite file drops it.
    edit_profile(&store, &secrets, server("db2"), Some(Secret::new("pw2"))).unwrap();
    assert_eq!(secrets.get(&key).unwrap().unwrap().expose(), "pw2");
    let mut file = server("");
    file.backend = Backend::Sqlite;
    file.host = None;
    file.user = None;
    file.database = "/tmp/shop.db".into();
    edit_profile(&store, &secrets, file, None).unwrap();
    assert!(secrets.get(&key).unwrap().is_none());
    assert_eq!(store.get("shop").unwrap().backend, Backend::Sqlite);

    // Only a profile that exists can be edited.
    let mut other = server("db3");
    other.name = "nope".into();
    assert!(edit_profile(&store, &secrets, other, None).is_err());
}
