//! A mapping being edited in the window: its text, each concept with the
//! table and column it names (and whether a choice of table or column can
//! change it), and every problem with it, as the format and the database
//! see them. Nothing is saved here; a draft is saved only once it has no
//! problem.

use serde::Serialize;

use super::catalogue::{self, Catalogue};
use super::check::{self, Problem};
use super::Mapping;
use crate::db::Db;
use crate::{Error, Result};

/// One place the draft names, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DraftConcept {
    /// Where in the mapping ("user.email").
    pub concept: String,
    pub table: String,
    pub column: Option<String>,
    /// Whether choosing a table or column sets it (a name given once, not
    /// one of a list).
    pub editable: bool,
}

/// A draft's state: its text, its concepts and its problems.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Draft {
    pub text: String,
    pub concepts: Vec<DraftConcept>,
    /// Each with the concept it is about ("mapping" for the file as a
    /// whole); empty: the draft fits the database and may be saved.
    pub problems: Vec<Problem>,
}

/// The TOML path of a concept ("user.email" → user, email).
fn path(concept: &str) -> Vec<&str> {
    concept.split('.').collect()
}

/// Whether the text has a single name at `concept`.
fn names_one(doc: &toml::Value, concept: &str) -> bool {
    let mut node = doc;
    for part in path(concept) {
        match node.get(part) {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.is_str()
}

/// The text with `concept` set to `name`.
pub fn set(text: &str, concept: &str, name: &str) -> Result<String> {
    let mut doc: toml::Value = toml::from_str(text).map_err(|e| {
        Error::validation(format!("the mapping is not valid TOML: {}", e.message()))
    })?;
    if !names_one(&doc, concept) {
        return Err(Error::validation(format!(
            "{concept} is not a single name the editor can set; edit the file for it"
        )));
    }
    let parts = path(concept);
    let (last, parents) = parts.split_last().expect("a concept has a name");
    let mut node = &mut doc;
    for part in parents {
        node = node.get_mut(*part).expect("checked above");
    }
    if let Some(table) = node.as_table_mut() {
        table.insert(
            (*last).to_string(),
            toml::Value::String(name.trim().to_string()),
        );
    }
    // Written back as the console writes mappings, when it is one.
    Ok(
        match Mapping::parse(&toml::to_string(&doc).unwrap_or_default()) {
            Ok(m) => m.to_toml(),
            Err(_) => toml::to_string_pretty(&doc).unwrap_or_default(),
        },
    )
}

/// The draft's concepts and problems against `cat` (the database's
/// catalogue) and, once it fits the catalogue, the data itself (`check`).
pub fn review(text: &str, cat: &Catalogue) -> Draft {
    let doc = toml::from_str::<toml::Value>(text).ok();
    // Read without the format's checks too, so that a name it refuses is
    // still shown on its field, to be chosen again.
    let lenient = toml::from_str::<Mapping>(text).ok();
    let concepts = lenient
        .iter()
        .flat_map(Mapping::refs)
        .map(|r| DraftConcept {
            editable: doc.as_ref().is_some_and(|d| names_one(d, &r.concept)),
            concept: r.concept,
            table: r.table,
            column: r.column,
        })
        .collect();
    let problems = match Mapping::parse(text) {
        Ok(m) => check::against(&m, cat),
        Err(e) => split(&e.to_string()),
    };
    Draft {
        text: text.to_string(),
        concepts,
        problems,
    }
}

/// The draft against the database: its catalogue, then (once it fits
/// that) its data, as `schema check` reads it.
pub async fn review_on(db: &Db, text: &str) -> Result<Draft> {
    let cat = catalogue::read(db).await?;
    let mut draft = review(text, &cat);
    if draft.problems.is_empty() {
        if let Ok(m) = Mapping::parse(text) {
            draft.problems = check::check(db, &m).await?;
        }
    }
    Ok(draft)
}

/// A refusal of the format ("user.table: 'a b' is not …; lifecycle: …")
/// as one problem per concept.
fn split(message: &str) -> Vec<Problem> {
    message
        .split("; ")
        .map(|part| match part.split_once(": ") {
            Some((concept, rest)) if !concept.contains(' ') => Problem {
                concept: concept.to_string(),
                message: rest.to_string(),
            },
            _ => Problem {
                concept: "mapping".into(),
                message: part.to_string(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;

    const TEXT: &str =
        "format = 1\n[user]\ntable = \"auth_user\"\nkey = \"id\"\nemail = \"mail\"\n\
                        name = [\"first_name\"]\n";

    fn catalogue() -> Catalogue {
        let col = |c: &str, t: &str| ("auth_user".to_string(), c.to_string(), t.to_string());
        Catalogue::from_rows(
            Backend::Sqlite,
            vec![
                col("id", "integer"),
                col("email", "varchar(254)"),
                col("first_name", "varchar(150)"),
            ],
        )
    }

    #[test]
    fn a_choice_sets_one_name_and_the_problems_follow() {
        let before = review(TEXT, &catalogue());
        assert_eq!(before.problems.len(), 1, "{:?}", before.problems);
        assert_eq!(before.problems[0].concept, "user.email");
        let email = before
            .concepts
            .iter()
            .find(|c| c.concept == "user.email")
            .unwrap();
        assert!(email.editable);
        let name = before
            .concepts
            .iter()
            .find(|c| c.concept == "user.name")
            .unwrap();
        assert!(!name.editable, "one of a list");

        let fixed = set(TEXT, "user.email", "email").unwrap();
        assert!(fixed.starts_with("# Backoffice schema mapping"));
        assert!(review(&fixed, &catalogue()).problems.is_empty());
        assert!(set(TEXT, "user.name", "x").is_err());
    }

    #[test]
    fn a_name_the_format_refuses_is_a_problem_on_its_field() {
        let bad = set(TEXT, "user.table", "auth user").unwrap();
        let d = review(&bad, &catalogue());
        let table = d
            .concepts
            .iter()
            .find(|c| c.concept == "user.table")
            .unwrap();
        assert_eq!((table.table.as_str(), table.editable), ("auth user", true));
        assert_eq!(d.problems[0].concept, "user.table", "{:?}", d.problems);
        assert!(d.problems[0].message.contains("'auth user' is not a table"));
        let broken = review("format = 1\n[user\n", &catalogue());
        assert_eq!(broken.problems[0].concept, "mapping");
    }
}
