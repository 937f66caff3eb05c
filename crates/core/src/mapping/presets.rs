//! Presets: the mapping of what back ends are built with, recognised from
//! the catalogue. Column lists follow each project's own migrations:
//! - reference: migrations/*/demo/0001_reference_schema.sql (ours);
//! - Django: django/contrib/auth/migrations/0001_initial.py (+0008, 0009,
//!   0012); django-axes: axes/models.py (AccessAttempt, AccessLog);
//!   django-allauth: allauth/account/migrations/0001_initial.py;
//! - Rails Devise: lib/generators/active_record/devise_generator.rb
//!   (database_authenticatable, trackable, confirmable, lockable);
//! - Laravel 11: database/migrations/0001_01_01_000000_create_users_table.php;
//!   spatie/laravel-permission: database/migrations/create_permission_tables.php.stub.

use super::catalogue::Catalogue;
use super::links::{ALLAUTH_CONFIRM_PATH, DJANGO_RESET_PATH};
use super::{
    Active, Join, Link, LinksMap, Lock, Mapping, RolesMap, SignIns, UserMap, Verified, FORMAT,
};

/// django-axes' AXES_FAILURE_LIMIT when the project does not set it.
pub const AXES_DEFAULT_LIMIT: i64 = 3;

/// A recognised preset: its mapping and what the operator should know.
pub struct Found {
    pub mapping: Mapping,
    /// Settings of the back end the catalogue cannot show.
    pub notes: Vec<String>,
}

fn opt(cat: &Catalogue, table: &str, column: &str) -> Option<String> {
    cat.column(table, column).map(|_| column.to_string())
}

pub(super) fn mapping(preset: String, user: UserMap, roles: Option<RolesMap>) -> Mapping {
    Mapping {
        format: FORMAT,
        preset: Some(preset),
        user: Some(user),
        roles,
        order: None,
        items: None,
        products: None,
        stock: None,
        status_history: None,
        notes: None,
        refunds: None,
        lifecycle: None,
        links: None,
        sends: None,
    }
}

/// Every preset in the order detection tries them.
pub fn recognise(cat: &Catalogue) -> Option<Found> {
    let mut found = reference(cat)
        .or_else(|| django(cat))
        .or_else(|| devise(cat))
        .or_else(|| laravel(cat))
        .or_else(|| super::saleor::users(cat))
        .or_else(|| super::woocommerce::users(cat))?;
    let m = &mut found.mapping;
    if let Some(shop) = super::shop_presets::recognise(cat, m, &mut found.notes) {
        if m.preset.as_deref() != Some(shop) {
            let name = m.preset.take().unwrap_or_default();
            m.preset = Some(format!("{name} + {shop}"));
        }
    }
    Some(found)
}

fn reference(cat: &Catalogue) -> Option<Found> {
    if !cat.has(
        "users",
        &[
            "id",
            "email",
            "email_normalized",
            "display_name",
            "status",
            "locked_until",
        ],
    ) {
        return None;
    }
    let user = UserMap {
        table: "users".into(),
        key: "id".into(),
        email: "email".into(),
        username: None,
        name: vec!["display_name".into()],
        created: Some("created_at".into()),
        updated: Some("updated_at".into()),
        last_sign_in: Some("last_login_at".into()),
        failed_attempts: Some("failed_login_count".into()),
        active: Some(Active::Values {
            column: "status".into(),
            active: vec!["active".into()],
            disabled: vec!["disabled".into()],
            locked: vec!["locked".into()],
        }),
        lock: Some(Lock::Timestamp {
            column: "locked_until".into(),
            until: true,
            unlock_token: None,
            reason: Some("lock_reason".into()),
        }),
        verified: Some(Verified::Timestamp {
            column: "email_verified_at".into(),
            pending_email: None,
        }),
        sign_ins: cat
            .has("login_events", &["user_id", "at", "succeeded"])
            .then(|| SignIns {
                table: "login_events".into(),
                at: "at".into(),
                user: Some("user_id".into()),
                username: None,
                succeeded: Some("succeeded".into()),
                ip: opt(cat, "login_events", "ip"),
            }),
    };
    let roles = cat
        .has("user_roles", &["user_id", "role_id"])
        .then(|| RolesMap {
            table: "roles".into(),
            key: "id".into(),
            name: "name".into(),
            join: Join {
                table: "user_roles".into(),
                user: "user_id".into(),
                role: "role_id".into(),
                only_column: None,
                only_value: None,
            },
        });
    Some(Found {
        mapping: mapping("reference".into(), user, roles),
        notes: Vec::new(),
    })
}

fn django(cat: &Catalogue) -> Option<Found> {
    let t = "auth_user";
    if !cat.has(
        t,
        &[
            "id",
            "username",
            "email",
            "is_active",
            "last_login",
            "date_joined",
        ],
    ) {
        return None;
    }
    let mut preset = vec!["django"];
    let mut notes = Vec::new();
    let axes = cat.has("axes_accessattempt", &["username", "failures_since_start"]);
    let lock = axes.then(|| {
        preset.push("axes");
        notes.push(format!(
            "user.lock.limit is django-axes' default AXES_FAILURE_LIMIT ({AXES_DEFAULT_LIMIT}); \
             set it to your project's setting if it differs"
        ));
        Lock::Attempts {
            table: "axes_accessattempt".into(),
            username: "username".into(),
            count: "failures_since_start".into(),
            limit: AXES_DEFAULT_LIMIT,
            match_user: vec!["username".into(), "email".into()],
        }
    });
    let verified = cat
        .has(
            "account_emailaddress",
            &["user_id", "email", "verified", "primary"],
        )
        .then(|| {
            preset.push("allauth");
            Verified::Rows {
                table: "account_emailaddress".into(),
                user: "user_id".into(),
                email: "email".into(),
                flag: "verified".into(),
                primary: Some("primary".into()),
            }
        });
    let sign_ins = cat
        .has("axes_accesslog", &["username", "attempt_time"])
        .then(|| SignIns {
            table: "axes_accesslog".into(),
            at: "attempt_time".into(),
            user: None,
            username: Some("username".into()),
            succeeded: None,
            ip: opt(cat, "axes_accesslog", "ip_address"),
        });
    let user = UserMap {
        table: t.into(),
        key: "id".into(),
        email: "email".into(),
        username: Some("username".into()),
        name: ["first_name", "last_name"]
            .iter()
            .filter_map(|c| opt(cat, t, c))
            .collect(),
        created: Some("date_joined".into()),
        updated: None,
        last_sign_in: Some("last_login".into()),
        failed_attempts: None,
        active: Some(Active::Flag {
            column: "is_active".into(),
        }),
        lock,
        verified,
        sign_ins,
    };
    let roles = cat
        .has("auth_user_groups", &["user_id", "group_id"])
        .then(|| RolesMap {
            table: "auth_group".into(),
            key: "id".into(),
            name: "name".into(),
            join: Join {
                table: "auth_user_groups".into(),
                user: "user_id".into(),
                role: "group_id".into(),
                only_column: None,
                only_value: None,
            },
        });
    let links = django_links(cat, t, user.verified.is_some(), &mut notes);
    let mut mapping = mapping(preset.join(" + "), user, roles);
    mapping.links = links;
    Some(Found { mapping, notes })
}

/// Django's reset link (its `default_token_generator`) and, with allauth,
/// allauth's confirmation link, at the default URLs.
fn django_links(
    cat: &Catalogue,
    t: &str,
    allauth: bool,
    notes: &mut Vec<String>,
) -> Option<LinksMap> {
    let password_reset = opt(cat, t, "password").map(|password| Link::DjangoReset {
        path: DJANGO_RESET_PATH.into(),
        password,
        time_zone: None,
        expires_in: None,
    });
    let verify_email = allauth.then(|| Link::AllauthConfirm {
        path: ALLAUTH_CONFIRM_PATH.into(),
        key: "id".into(),
        expires_in: None,
    });
    if password_reset.is_none() && verify_email.is_none() {
        return None;
    }
    notes.push(
        "links: reset and confirmation links use Django's default URLs under /accounts/ and \
         its TIME_ZONE UTC; set links.*.path and time_zone to your project's, and store its \
         SECRET_KEY with `backoffice profile backend-secret NAME --stdin`"
            .into(),
    );
    Some(LinksMap {
        password_reset,
        verify_email,
    })
}

fn devise(cat: &Catalogue) -> Option<Found> {
    // A Rails app's own users, or Solidus' (solidusio/solidus_auth_devise
    // db/migrate/20260103231422_create_spree_users.rb).
    let t = ["users", "spree_users"]
        .into_iter()
        .find(|t| cat.has(t, &["id", "email", "encrypted_password"]))?;
    let mut preset = vec!["devise"];
    let lockable = cat.has(t, &["locked_at", "failed_attempts"]);
    let confirmable = cat.has(t, &["confirmed_at"]);
    let trackable = cat.has(t, &["last_sign_in_at", "sign_in_count"]);
    for (on, name) in [
        (confirmable, "confirmable"),
        (lockable, "lockable"),
        (trackable, "trackable"),
    ] {
        if on {
            preset.push(name);
        }
    }
    let user = UserMap {
        table: t.into(),
        key: "id".into(),
        email: "email".into(),
        username: None,
        name: ["name"].iter().filter_map(|c| opt(cat, t, c)).collect(),
        created: opt(cat, t, "created_at"),
        updated: opt(cat, t, "updated_at"),
        last_sign_in: opt(cat, t, "last_sign_in_at"),
        failed_attempts: lockable.then(|| "failed_attempts".into()),
        active: None,
        lock: lockable.then(|| Lock::Timestamp {
            column: "locked_at".into(),
            until: false,
            unlock_token: opt(cat, t, "unlock_token"),
            reason: None,
        }),
        verified: confirmable.then(|| Verified::Timestamp {
            column: "confirmed_at".into(),
            pending_email: opt(cat, t, "unconfirmed_email"),
        }),
        sign_ins: None,
    };
    let mut notes = Vec::new();
    let mut mapping = mapping(preset.join(" + "), user, None);
    mapping.links = super::links::devise(cat, t, &mut notes);
    Some(Found { mapping, notes })
}

fn laravel(cat: &Catalogue) -> Option<Found> {
    let t = "users";
    if !cat.has(t, &["id", "name", "email", "password", "remember_token"]) {
        return None;
    }
    let mut preset = vec!["laravel"];
    let spatie = cat.has("roles", &["id", "name", "guard_name"])
        && cat.has("model_has_roles", &["role_id", "model_type", "model_id"]);
    let roles = spatie.then(|| {
        preset.push("spatie-permission");
        RolesMap {
            table: "roles".into(),
            key: "id".into(),
            name: "name".into(),
            join: Join {
                table: "model_has_roles".into(),
                user: "model_id".into(),
                role: "role_id".into(),
                only_column: Some("model_type".into()),
                only_value: Some("App\\Models\\User".into()),
            },
        }
    });
    let mut notes = Vec::new();
    if spatie {
        notes.push(
            "roles.join.only_value is Laravel's default user model (App\\Models\\User); \
             set it to yours if it differs"
                .to_string(),
        );
    }
    let user = UserMap {
        table: t.into(),
        key: "id".into(),
        email: "email".into(),
        username: None,
        name: vec!["name".into()],
        created: opt(cat, t, "created_at"),
        updated: opt(cat, t, "updated_at"),
        last_sign_in: None,
        failed_attempts: None,
        active: None,
        lock: None,
        verified: opt(cat, t, "email_verified_at").map(|column| Verified::Timestamp {
            column,
            pending_email: None,
        }),
        sign_ins: None,
    };
    let mut mapping = mapping(preset.join(" + "), user, roles);
    mapping.links = super::links::laravel(cat, &mut notes);
    Some(Found { mapping, notes })
}
