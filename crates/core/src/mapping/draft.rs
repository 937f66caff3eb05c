//! A mapping being edited in the window: its text, each concept with the
//! table and column it names (and whether a choice of table or column can
//! change it), and every problem with it, as the format and the database
//! see them. Nothing is saved here; a draft is saved only once it has no
//! problem.

use serde::Serialize;

use super::catalogue::{self, Catalogue};
use super::check::{self, Problem};
use super::{Lifecycle, Mapping};
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

/// One order status word as the editor shows it: declared in the
/// lifecycle or found in the data only, what it means to the console and
/// where an order may go from it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DraftStatus {
    pub word: String,
    pub declared: bool,
    /// Any of [`ROLES`].
    pub roles: Vec<String>,
    pub moves: Vec<String>,
}

/// What a status word can mean to the console.
pub const ROLES: [&str; 5] = ["cancelled", "refunded", "closed", "refundable", "shipped"];

/// A draft's state: its text, its concepts and its problems.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Draft {
    pub text: String,
    pub concepts: Vec<DraftConcept>,
    /// The lifecycle's status words, then those found in the orders'
    /// data that it does not declare; empty without a lifecycle.
    pub statuses: Vec<DraftStatus>,
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
    let statuses = lenient
        .as_ref()
        .and_then(|m| m.lifecycle.as_ref())
        .map(|l| {
            l.statuses
                .iter()
                .map(|w| DraftStatus {
                    word: w.clone(),
                    declared: true,
                    roles: ROLES
                        .iter()
                        .filter(|r| role_list(l, r).is_some_and(|list| list.contains(w)))
                        .map(|r| r.to_string())
                        .collect(),
                    moves: l.moves.get(w).cloned().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Draft {
        text: text.to_string(),
        concepts,
        statuses,
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
            draft.problems = check::check_on(db, &m, &cat).await?;
            for word in check::undeclared_statuses(db, &m).await? {
                draft.statuses.push(DraftStatus {
                    word,
                    declared: false,
                    roles: Vec::new(),
                    moves: Vec::new(),
                });
            }
        }
    }
    Ok(draft)
}

fn role_list<'a>(l: &'a Lifecycle, role: &str) -> Option<&'a Vec<String>> {
    Some(match role {
        "cancelled" => &l.cancelled,
        "refunded" => &l.refunded,
        "closed" => &l.closed,
        "refundable" => &l.refundable,
        "shipped" => &l.shipped,
        _ => return None,
    })
}

fn role_list_mut<'a>(l: &'a mut Lifecycle, role: &str) -> Option<&'a mut Vec<String>> {
    Some(match role {
        "cancelled" => &mut l.cancelled,
        "refunded" => &mut l.refunded,
        "closed" => &mut l.closed,
        "refundable" => &mut l.refundable,
        "shipped" => &mut l.shipped,
        _ => return None,
    })
}

/// The text with the status `word` declared in the lifecycle, meaning
/// `roles` and moving to `moves`; or, not `declared`, taken out of it
/// (and out of every move to it).
pub fn set_status(
    text: &str,
    word: &str,
    declared: bool,
    roles: &[String],
    moves: &[String],
) -> Result<String> {
    let word = word.trim();
    if word.is_empty() {
        return Err(Error::validation("a status word cannot be empty"));
    }
    if let Some(r) = roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        return Err(Error::validation(format!(
            "'{r}' is not something a status can mean (one of {})",
            ROLES.join(", ")
        )));
    }
    let mut m: Mapping = toml::from_str(text)
        .map_err(|e| Error::validation(format!("the mapping does not read: {}", e.message())))?;
    let l = m.lifecycle.as_mut().ok_or_else(|| {
        Error::validation("the mapping has no [lifecycle]: orders are not mapped")
    })?;
    l.statuses.retain(|s| s != word);
    l.moves.remove(word);
    for tos in l.moves.values_mut() {
        if !declared {
            tos.retain(|t| t != word);
        }
    }
    for role in ROLES {
        if let Some(list) = role_list_mut(l, role) {
            list.retain(|s| s != word);
            if declared && roles.iter().any(|r| r == role) {
                list.push(word.to_string());
            }
        }
    }
    if declared {
        l.statuses.push(word.to_string());
        let moves: Vec<String> = moves.iter().map(|t| t.trim().to_string()).collect();
        if !moves.is_empty() {
            l.moves.insert(word.to_string(), moves);
        }
    }
    Ok(m.to_toml())
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

    #[test]
    fn a_status_word_is_declared_with_its_meaning_and_moves_or_taken_out() {
        let text = "format = 1\n[lifecycle]\nstatuses = [\"Pending\", \"Cancelled\"]\n\
                    cancelled = [\"Cancelled\"]\n[lifecycle.moves]\nPending = [\"Cancelled\"]\n";
        let held = set_status(
            text,
            "On hold",
            true,
            &["refundable".into()],
            &["Pending".into()],
        )
        .unwrap();
        let m: Mapping = toml::from_str(&held).unwrap();
        let l = m.lifecycle.unwrap();
        assert_eq!(l.statuses, ["Pending", "Cancelled", "On hold"]);
        assert_eq!(l.refundable, ["On hold"]);
        assert_eq!(l.moves["On hold"], ["Pending"]);
        let statuses = review(&held, &Catalogue::default()).statuses;
        let hold = statuses.iter().find(|s| s.word == "On hold").unwrap();
        assert_eq!(
            (hold.declared, hold.roles.clone()),
            (true, vec!["refundable".to_string()])
        );

        let gone = set_status(&held, "Cancelled", false, &[], &[]).unwrap();
        let l = toml::from_str::<Mapping>(&gone).unwrap().lifecycle.unwrap();
        assert_eq!(l.statuses, ["Pending", "On hold"]);
        assert!(l.cancelled.is_empty());
        assert!(
            l.moves.get("Pending").is_none_or(|m| m.is_empty()),
            "{:?}",
            l.moves
        );
        assert!(set_status(text, "x", true, &["lost".into()], &[]).is_err());
    }
}
