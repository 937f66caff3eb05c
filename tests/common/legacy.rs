//! A back end no preset knows, and the hand-written mapping that describes
//! it: a text key, a name in two columns, one-letter status codes.

use backoffice_testkit::TestDb;

pub const LEGACY_MAPPING: &str = r#"
format = 1

[user]
table = "members"
key = "member_code"
email = "mail"
name = ["given_name", "family_name"]

[user.active]
kind = "values"
column = "state"
active = ["A"]
disabled = ["D"]
locked = ["L"]
"#;

/// Creates `members` with M-1 (active), M-2 (locked), M-3 (disabled).
pub async fn members(t: &TestDb) {
    for sql in [
        "CREATE TABLE members (member_code VARCHAR(20) NOT NULL PRIMARY KEY, mail VARCHAR(254) NOT NULL, \
         given_name VARCHAR(100), family_name VARCHAR(100), state CHAR(1) NOT NULL)",
        "INSERT INTO members VALUES ('M-1', 'ada@example.com', 'Ada', 'Lovelace', 'A')",
        "INSERT INTO members VALUES ('M-2', 'bob@example.com', 'Bob', NULL, 'L')",
        "INSERT INTO members VALUES ('M-3', 'cy@example.com', NULL, NULL, 'D')",
    ] {
        t.exec(sql).await;
    }
}
