//! The context every domain operation takes: the database, the signed-in
//! operator, and the clock.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::operators::{Operator, Permission};
use crate::time::micros;
use crate::Result;

pub struct Ctx<'a> {
    pub db: &'a Db,
    pub operator: &'a Operator,
    /// "Now" for this operation; tests set it.
    pub now: DateTime<Utc>,
}

impl<'a> Ctx<'a> {
    pub fn new(db: &'a Db, operator: &'a Operator) -> Self {
        Self::at(db, operator, Utc::now())
    }

    pub fn at(db: &'a Db, operator: &'a Operator, now: DateTime<Utc>) -> Self {
        Ctx {
            db,
            operator,
            now: micros(now),
        }
    }

    /// Refuses with `forbidden` unless the operator may do this.
    pub fn require(&self, permission: Permission) -> Result<()> {
        self.operator.require(permission)
    }
}
