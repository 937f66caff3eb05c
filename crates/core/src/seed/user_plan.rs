//! Which demo users are unusual: the planted defects at their rates, the
//! rarer normal states, and for each case-variant duplicate the account it
//! copies.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::plan::assign;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum UserKind {
    InvalidEmail,
    DuplicateEmailCase,
    UnverifiedStale,
    LockedWithoutReason,
    LockExpired,
    FailedCountOverThreshold,
    BadDisplayName,
    EmailNotNormalized,
    Disabled,
    ManualLock,
    TempLock,
    UnverifiedRecent,
}

/// Planted defects first (they must get their full count), then the rarer
/// normal states.
const KINDS: &[(UserKind, f64)] = &[
    (UserKind::InvalidEmail, 0.002),
    (UserKind::DuplicateEmailCase, 0.001),
    (UserKind::UnverifiedStale, 0.002),
    (UserKind::LockedWithoutReason, 0.0005),
    (UserKind::LockExpired, 0.0005),
    (UserKind::FailedCountOverThreshold, 0.0005),
    (UserKind::BadDisplayName, 0.0005),
    (UserKind::EmailNotNormalized, 0.0005),
    (UserKind::Disabled, 0.015),
    (UserKind::ManualLock, 0.01),
    (UserKind::TempLock, 0.005),
    (UserKind::UnverifiedRecent, 0.04),
];

impl UserKind {
    /// The defect id reported for planted kinds (see docs/DEMO-DATA.md).
    pub(crate) fn defect(self) -> Option<&'static str> {
        Some(match self {
            UserKind::InvalidEmail => "users.invalid_email",
            UserKind::DuplicateEmailCase => "users.duplicate_email_case",
            UserKind::UnverifiedStale => "users.unverified_stale",
            UserKind::LockedWithoutReason => "users.locked_without_reason",
            UserKind::LockExpired => "users.lock_expired",
            UserKind::FailedCountOverThreshold => "users.failed_count_over_threshold",
            UserKind::BadDisplayName => "users.bad_display_name",
            UserKind::EmailNotNormalized => "users.email_not_normalized",
            _ => return None,
        })
    }
}

pub(crate) struct UserPlan {
    kinds: HashMap<u64, UserKind>,
    /// Each case-variant duplicate's original account.
    partners: HashMap<u64, u64>,
    pub counts: Vec<(UserKind, u64)>,
}

impl UserPlan {
    pub(crate) fn new(rng: &mut ChaCha8Rng, n: u64) -> Self {
        let (mut kinds, mut counts) = assign(rng, n, KINDS);
        let mut dups: Vec<u64> = kinds
            .iter()
            .filter(|(_, k)| **k == UserKind::DuplicateEmailCase)
            .map(|(row, _)| *row)
            .collect();
        // A map's order differs from one run to the next; the partners are
        // drawn in row order so the same seed pairs the same accounts.
        dups.sort_unstable();
        let mut partners = HashMap::new();
        let mut used = HashSet::new();
        for row in dups {
            // The original must be a plain account, and each original gets
            // one duplicate, so each pair is exactly one finding group.
            let found = (0..200)
                .map(|_| rng.gen_range(1..=n))
                .find(|p| *p != row && !kinds.contains_key(p) && !used.contains(p));
            match found {
                Some(p) => {
                    used.insert(p);
                    partners.insert(row, p);
                }
                None => {
                    kinds.remove(&row);
                    if let Some(c) = counts
                        .iter_mut()
                        .find(|c| c.0 == UserKind::DuplicateEmailCase)
                    {
                        c.1 -= 1;
                    }
                }
            }
        }
        UserPlan {
            kinds,
            partners,
            counts,
        }
    }

    pub(crate) fn kind(&self, row: u64) -> Option<UserKind> {
        self.kinds.get(&row).copied()
    }

    /// The original account a case-variant duplicate copies.
    pub(crate) fn partner(&self, row: u64) -> u64 {
        self.partners[&row]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn pairs(seed: u64) -> Vec<(u64, u64)> {
        let plan = UserPlan::new(&mut ChaCha8Rng::seed_from_u64(seed), 20_000);
        let mut pairs: Vec<(u64, u64)> = plan.partners.into_iter().collect();
        pairs.sort_unstable();
        pairs
    }

    #[test]
    fn the_same_seed_pairs_the_same_accounts() {
        // Each plan has maps of its own, each iterated in its own order.
        let first = pairs(5);
        assert!(first.len() >= 10, "{first:?}");
        for _ in 0..5 {
            assert_eq!(pairs(5), first);
        }
        assert_ne!(pairs(6), first);
    }
}
