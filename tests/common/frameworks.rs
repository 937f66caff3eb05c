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

/// A Solidus shop's tables as its migrations create them, per database:
/// solidusio/solidus core/db/migrate/20160101010000_solidus_one_four.rb
/// (spree_orders, spree_line_items, spree_variants, spree_products,
/// spree_stock_items, spree_state_changes, spree_payments, spree_refunds) and
/// solidusio/solidus_auth_devise
/// db/migrate/20260103231422_create_spree_users.rb (spree_users, the
/// address references left out).
pub async fn solidus_tables(t: &TestDb) {
    let b = t.backend;
    let (ts, id) = (timestamp(b), id(b));
    let (s, dec, boolean) = match b {
        Backend::Postgres => ("character varying", "numeric(10,2)", "boolean"),
        Backend::Mysql => ("varchar(255)", "decimal(10,2)", "tinyint(1)"),
        Backend::Sqlite => ("varchar", "decimal(10,2)", "boolean"),
    };
    let (yes, no) = if b == Backend::Mysql {
        ("1", "0")
    } else {
        ("TRUE", "FALSE")
    };
    for sql in [
        format!(
            "CREATE TABLE spree_users (id {id}, login {s}, email {s}, unconfirmed_email {s}, \
             encrypted_password varchar(128), password_salt varchar(128), \
             reset_password_token {s}, spree_api_key varchar(48), confirmation_token {s}, \
             perishable_token {s}, persistence_token {s}, remember_token {s}, unlock_token {s}, \
             sign_in_count integer DEFAULT 0 NOT NULL, failed_attempts integer DEFAULT 0 NOT NULL, \
             current_sign_in_ip {s}, last_sign_in_ip {s}, confirmation_sent_at {ts}, \
             confirmed_at {ts}, current_sign_in_at {ts}, deleted_at {ts}, last_request_at {ts}, \
             last_sign_in_at {ts}, locked_at {ts}, remember_created_at {ts}, \
             reset_password_sent_at {ts}, created_at {ts} NOT NULL, updated_at {ts} NOT NULL)"
        ),
        format!(
            "CREATE TABLE spree_orders (id {id}, number varchar(32), \
             item_total {dec} DEFAULT 0.0 NOT NULL, total {dec} DEFAULT 0.0 NOT NULL, state {s}, \
             adjustment_total {dec} DEFAULT 0.0 NOT NULL, user_id integer, completed_at {ts}, \
             bill_address_id integer, ship_address_id integer, payment_total {dec} DEFAULT 0.0, \
             shipment_state {s}, payment_state {s}, email {s}, special_instructions text, \
             created_at {ts}, updated_at {ts}, currency {s}, last_ip_address {s}, \
             created_by_id integer, shipment_total {dec} DEFAULT 0.0 NOT NULL, \
             additional_tax_total {dec} DEFAULT 0.0, promo_total {dec} DEFAULT 0.0, \
             channel {s} DEFAULT 'spree', included_tax_total {dec} DEFAULT 0.0 NOT NULL, \
             item_count integer DEFAULT 0, approver_id integer, approved_at {ts}, \
             confirmation_delivered {boolean} DEFAULT {no}, guest_token {s}, canceled_at {ts}, \
             canceler_id integer, store_id integer, approver_name {s}, \
             frontend_viewable {boolean} DEFAULT {yes} NOT NULL)"
        ),
        format!(
            "CREATE TABLE spree_line_items (id {id}, variant_id integer, order_id integer, \
             quantity integer NOT NULL, price {dec} NOT NULL, created_at {ts}, updated_at {ts}, \
             currency {s}, cost_price {dec}, tax_category_id integer, \
             adjustment_total {dec} DEFAULT 0.0, additional_tax_total {dec} DEFAULT 0.0, \
             promo_total {dec} DEFAULT 0.0, included_tax_total {dec} DEFAULT 0.0 NOT NULL)"
        ),
        format!(
            "CREATE TABLE spree_variants (id {id}, sku {s} DEFAULT '' NOT NULL, \
             weight decimal(8,2) DEFAULT 0.0, height decimal(8,2), width decimal(8,2), \
             depth decimal(8,2), deleted_at {ts}, is_master {boolean} DEFAULT {no}, \
             product_id integer, cost_price {dec}, position integer, cost_currency {s}, \
             track_inventory {boolean} DEFAULT {yes}, tax_category_id integer, updated_at {ts}, \
             created_at {ts})"
        ),
        format!(
            "CREATE TABLE spree_products (id {id}, name {s} DEFAULT '' NOT NULL, \
             description text, available_on {ts}, deleted_at {ts}, slug {s}, \
             meta_description text, meta_keywords {s}, tax_category_id integer, \
             shipping_category_id integer, created_at {ts}, updated_at {ts}, \
             promotionable {boolean} DEFAULT {yes}, meta_title {s})"
        ),
        format!(
            "CREATE TABLE spree_stock_items (id {id}, stock_location_id integer, \
             variant_id integer, count_on_hand integer DEFAULT 0 NOT NULL, created_at {ts}, \
             updated_at {ts}, backorderable {boolean} DEFAULT {no}, deleted_at {ts})"
        ),
        format!(
            "CREATE TABLE spree_state_changes (id {id}, name {s}, previous_state {s}, \
             stateful_id integer, user_id integer, stateful_type {s}, next_state {s}, \
             created_at {ts}, updated_at {ts})"
        ),
        format!(
            "CREATE TABLE spree_payments (id {id}, amount {dec} DEFAULT 0.0 NOT NULL, \
             order_id integer, source_type {s}, source_id integer, payment_method_id integer, \
             state {s}, response_code {s}, avs_response {s}, created_at {ts}, updated_at {ts}, \
             number {s}, cvv_response_code {s}, cvv_response_message {s})"
        ),
        format!(
            "CREATE TABLE spree_refunds (id {id}, payment_id integer, \
             amount {dec} DEFAULT 0.0 NOT NULL, transaction_id {s}, created_at {ts}, \
             updated_at {ts}, refund_reason_id integer, reimbursement_id integer)"
        ),
        "CREATE INDEX index_spree_line_items_on_order_id ON spree_line_items (order_id)".into(),
        "CREATE INDEX index_spree_orders_on_number ON spree_orders (number)".into(),
        "CREATE INDEX index_spree_state_changes_on_stateful_id_and_stateful_type \
         ON spree_state_changes (stateful_id, stateful_type)"
            .into(),
    ] {
        t.exec(&sql).await;
    }
}
