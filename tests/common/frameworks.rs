//! Back-end schemas of frameworks that do not install here, transcribed
//! from their own migration sources with each framework's column types per
//! database.

use backoffice_core::db::Backend;
use backoffice_testkit::TestDb;

fn timestamp(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "timestamp(6) without time zone",
        Backend::Mysql => "datetime(6)",
        Backend::Sqlite => "datetime(6)",
    }
}

fn id(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "bigserial PRIMARY KEY",
        Backend::Mysql => "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY",
        Backend::Sqlite => "integer PRIMARY KEY AUTOINCREMENT NOT NULL",
    }
}

/// The users table `rails generate devise User` makes with every module
/// enabled (heartcombo/devise lib/generators/active_record/devise_generator.rb),
/// as Rails declares its types on each database.
pub async fn devise_users(t: &TestDb) {
    let backend = t.backend;
    let (ts, id) = (timestamp(backend), id(backend));
    t.exec(&format!(
        "CREATE TABLE users (id {id}, email varchar(255) DEFAULT '' NOT NULL, \
         encrypted_password varchar(255) DEFAULT '' NOT NULL, reset_password_token varchar(255), \
         reset_password_sent_at {ts}, remember_created_at {ts}, \
         sign_in_count integer DEFAULT 0 NOT NULL, current_sign_in_at {ts}, last_sign_in_at {ts}, \
         current_sign_in_ip varchar(255), last_sign_in_ip varchar(255), \
         confirmation_token varchar(255), confirmed_at {ts}, confirmation_sent_at {ts}, \
         unconfirmed_email varchar(255), failed_attempts integer DEFAULT 0 NOT NULL, \
         unlock_token varchar(255), locked_at {ts}, created_at {ts} NOT NULL, updated_at {ts} NOT NULL)"
    ))
    .await;
    t.exec("CREATE UNIQUE INDEX index_users_on_email ON users (email)")
        .await;
}

/// Laravel 11's users table (laravel/laravel
/// database/migrations/0001_01_01_000000_create_users_table.php) with
/// spatie/laravel-permission's roles (create_permission_tables.php.stub).
pub async fn laravel_users(t: &TestDb) {
    let backend = t.backend;
    let id = id(backend);
    let ts = if backend == Backend::Postgres {
        "timestamp(0) without time zone"
    } else {
        "timestamp NULL"
    };
    for sql in [
        format!(
            "CREATE TABLE users (id {id}, name varchar(255) NOT NULL, email varchar(255) NOT NULL UNIQUE, \
             email_verified_at {ts}, password varchar(255) NOT NULL, remember_token varchar(100), \
             created_at {ts}, updated_at {ts})"
        ),
        format!(
            "CREATE TABLE password_reset_tokens (email varchar(255) NOT NULL PRIMARY KEY, \
             token varchar(255) NOT NULL, created_at {ts})"
        ),
        format!(
            "CREATE TABLE roles (id {id}, name varchar(255) NOT NULL, guard_name varchar(255) NOT NULL, \
             created_at {ts}, updated_at {ts})"
        ),
        "CREATE TABLE model_has_roles (role_id bigint NOT NULL, model_type varchar(255) NOT NULL, \
         model_id bigint NOT NULL, PRIMARY KEY (role_id, model_id, model_type))"
            .to_string(),
    ] {
        t.exec(&sql).await;
    }
}
