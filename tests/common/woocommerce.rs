//! A WooCommerce shop on High-Performance Order Storage, on tables
//! transcribed from its sources with the site prefix `wp_`:
//! - woocommerce/woocommerce plugins/woocommerce/src/Internal/DataStores/
//!   Orders/OrdersTableDataStore.php (`get_database_schema`): wc_orders,
//!   wc_order_operational_data, wc_orders_meta;
//! - plugins/woocommerce/includes/class-wc-install.php (`get_schema`):
//!   woocommerce_order_items, woocommerce_order_itemmeta;
//! - WordPress wp-admin/includes/schema.php: users, posts, comments.
//!
//! WordPress runs on MySQL and MariaDB; on PostgreSQL and SQLite the same
//! columns are declared in the nearest types, so the mapping's reads are
//! tried in every dialect.

use backoffice_core::db::Backend;
use backoffice_testkit::TestDb;

struct Types {
    /// An auto-increment bigint primary key.
    serial: &'static str,
    ubig: &'static str,
    datetime: &'static str,
    longtext: &'static str,
    tiny: &'static str,
    /// WordPress' capitalised key column, quoted where case matters.
    id: &'static str,
}

fn types(b: Backend) -> Types {
    match b {
        Backend::Mysql => Types {
            serial: "bigint(20) unsigned NOT NULL auto_increment PRIMARY KEY",
            ubig: "bigint(20) unsigned",
            datetime: "datetime",
            longtext: "longtext",
            tiny: "tinyint(1)",
            id: "ID",
        },
        Backend::Postgres => Types {
            serial: "bigserial PRIMARY KEY",
            ubig: "bigint",
            datetime: "timestamp",
            longtext: "text",
            tiny: "smallint",
            id: "\"ID\"",
        },
        Backend::Sqlite => Types {
            serial: "integer PRIMARY KEY AUTOINCREMENT NOT NULL",
            ubig: "bigint",
            datetime: "datetime",
            longtext: "longtext",
            tiny: "tinyint(1)",
            id: "\"ID\"",
        },
    }
}

/// A WordPress column whose name has capitals, quoted where case matters.
fn wp(b: Backend, name: &str) -> String {
    match b {
        Backend::Postgres => format!("\"{name}\""),
        _ => name.to_string(),
    }
}

/// The tables a WooCommerce HPOS shop has, empty.
pub async fn woocommerce_tables(t: &TestDb) {
    let Types {
        serial,
        ubig,
        datetime: dt,
        longtext,
        tiny,
        id,
    } = types(t.backend);
    let dec = "decimal(26,8)";
    let c = |name: &str| wp(t.backend, name);
    let (comment_id, post_id, author_ip) = (
        c("comment_ID"),
        c("comment_post_ID"),
        c("comment_author_IP"),
    );
    for sql in [
        format!(
            "CREATE TABLE wp_users ({id} {serial}, user_login varchar(60) NOT NULL DEFAULT '', \
             user_pass varchar(255) NOT NULL DEFAULT '', \
             user_nicename varchar(50) NOT NULL DEFAULT '', \
             user_email varchar(100) NOT NULL DEFAULT '', \
             user_url varchar(100) NOT NULL DEFAULT '', user_registered {dt} NOT NULL, \
             user_activation_key varchar(255) NOT NULL DEFAULT '', \
             user_status int NOT NULL DEFAULT 0, display_name varchar(250) NOT NULL DEFAULT '')"
        ),
        format!(
            "CREATE TABLE wp_posts ({id} {serial}, post_author {ubig} NOT NULL DEFAULT 0, \
             post_date {dt} NOT NULL, post_date_gmt {dt} NOT NULL, \
             post_content {longtext} NOT NULL, post_title text NOT NULL, \
             post_excerpt text NOT NULL, post_status varchar(20) NOT NULL DEFAULT 'publish', \
             comment_status varchar(20) NOT NULL DEFAULT 'open', \
             ping_status varchar(20) NOT NULL DEFAULT 'open', \
             post_password varchar(255) NOT NULL DEFAULT '', \
             post_name varchar(200) NOT NULL DEFAULT '', to_ping text NOT NULL, \
             pinged text NOT NULL, post_modified {dt} NOT NULL, post_modified_gmt {dt} NOT NULL, \
             post_content_filtered {longtext} NOT NULL, post_parent {ubig} NOT NULL DEFAULT 0, \
             guid varchar(255) NOT NULL DEFAULT '', menu_order int NOT NULL DEFAULT 0, \
             post_type varchar(20) NOT NULL DEFAULT 'post', \
             post_mime_type varchar(100) NOT NULL DEFAULT '', \
             comment_count bigint NOT NULL DEFAULT 0)"
        ),
        format!(
            "CREATE TABLE wp_comments ({comment_id} {serial}, \
             {post_id} {ubig} NOT NULL DEFAULT 0, comment_author text NOT NULL, \
             comment_author_email varchar(100) NOT NULL DEFAULT '', \
             comment_author_url varchar(200) NOT NULL DEFAULT '', \
             {author_ip} varchar(100) NOT NULL DEFAULT '', comment_date {dt} NOT NULL, \
             comment_date_gmt {dt} NOT NULL, comment_content text NOT NULL, \
             comment_karma int NOT NULL DEFAULT 0, \
             comment_approved varchar(20) NOT NULL DEFAULT '1', \
             comment_agent varchar(255) NOT NULL DEFAULT '', \
             comment_type varchar(20) NOT NULL DEFAULT 'comment', \
             comment_parent {ubig} NOT NULL DEFAULT 0, user_id {ubig} NOT NULL DEFAULT 0)"
        ),
        format!(
            "CREATE TABLE wp_options (option_id {serial}, \
             option_name varchar(191) NOT NULL DEFAULT '' UNIQUE, \
             option_value {longtext} NOT NULL, autoload varchar(20) NOT NULL DEFAULT 'yes')"
        ),
        // HPOS ids come from a placeholder post: no auto-increment.
        format!(
            "CREATE TABLE wp_wc_orders (id {ubig} NOT NULL PRIMARY KEY, status varchar(20) NULL, \
             currency varchar(10) NULL, type varchar(20) NULL, tax_amount {dec} NULL, \
             total_amount {dec} NULL, customer_id {ubig} NULL, billing_email varchar(320) NULL, \
             date_created_gmt {dt} NULL, date_updated_gmt {dt} NULL, \
             parent_order_id {ubig} NULL, payment_method varchar(100) NULL, \
             payment_method_title text NULL, transaction_id varchar(100) NULL, \
             ip_address varchar(100) NULL, user_agent text NULL, customer_note text NULL)"
        ),
        format!(
            "CREATE TABLE wp_wc_order_operational_data (id {serial}, order_id {ubig} NULL, \
             created_via varchar(100) NULL, woocommerce_version varchar(20) NULL, \
             prices_include_tax {tiny} NULL, coupon_usages_are_counted {tiny} NULL, \
             download_permission_granted {tiny} NULL, cart_hash varchar(100) NULL, \
             new_order_email_sent {tiny} NULL, order_key varchar(100) NULL, \
             order_stock_reduced {tiny} NULL, date_paid_gmt {dt} NULL, \
             date_completed_gmt {dt} NULL, shipping_tax_amount {dec} NULL, \
             shipping_total_amount {dec} NULL, discount_tax_amount {dec} NULL, \
             discount_total_amount {dec} NULL, recorded_sales {tiny} NULL)"
        ),
        format!(
            "CREATE TABLE wp_wc_orders_meta (id {serial}, order_id {ubig} NULL, \
             meta_key varchar(255), meta_value text NULL)"
        ),
        format!(
            "CREATE TABLE wp_woocommerce_order_items (order_item_id {serial}, \
             order_item_name text NOT NULL, order_item_type varchar(200) NOT NULL DEFAULT '', \
             order_id {ubig} NOT NULL)"
        ),
        format!(
            "CREATE TABLE wp_woocommerce_order_itemmeta (meta_id {serial}, \
             order_item_id {ubig} NOT NULL, meta_key varchar(255) DEFAULT NULL, \
             meta_value {longtext} NULL)"
        ),
        "CREATE INDEX type_status ON wp_wc_orders (type, status)".into(),
        "CREATE INDEX parent_order_id ON wp_wc_orders (parent_order_id)".into(),
        "CREATE UNIQUE INDEX order_id ON wp_wc_order_operational_data (order_id)".into(),
        "CREATE INDEX order_id_meta_key ON wp_wc_orders_meta (order_id, meta_key)".into(),
        "CREATE INDEX wc_items_order_id ON wp_woocommerce_order_items (order_id)".into(),
        "CREATE INDEX order_item_id ON wp_woocommerce_order_itemmeta (order_item_id)".into(),
    ] {
        t.exec(&sql).await;
    }
}

/// Two customers, two products, and three orders as WooCommerce writes
/// them: Ann's that adds up (lines, a fee, shipping and tax) with a
/// partial refund, a guest's whose total does not, and Bo's whose product
/// was deleted; each with a shipping item beside its line items.
pub async fn woocommerce_shop(t: &TestDb) {
    woocommerce_tables(t).await;
    let id = types(t.backend).id;
    let at = "'2026-03-01 10:00:00'";
    let post = |key: i64, title: &str| {
        format!(
            "({key}, {at}, {at}, '', '{title}', '', 'publish', '', {at}, {at}, '', '', \
             'product')"
        )
    };
    let mut sql = vec![
        format!(
            "INSERT INTO wp_users ({id}, user_login, user_email, user_registered, display_name) \
             VALUES (1, 'ann', 'ann@example.com', {at}, 'Ann'), \
             (2, 'bo', 'bo@example.com', {at}, 'Bo')"
        ),
        format!(
            "INSERT INTO wp_posts ({id}, post_date, post_date_gmt, post_content, post_title, \
             post_excerpt, post_status, to_ping, post_modified, post_modified_gmt, pinged, \
             post_content_filtered, post_type) VALUES {}, {}",
            post(10, "Mug"),
            post(11, "Tee")
        ),
        // 2 × Mug 25.00 + 3.00 gift wrap + 5.00 shipping + 2.50 tax =
        // 35.50, 5.00 refunded;
        // the guest's 20.00 + 5.00 recorded as 30.00; Bo's 10.00.
        format!(
            "INSERT INTO wp_wc_orders (id, status, currency, type, tax_amount, total_amount, \
             customer_id, billing_email, date_created_gmt, date_updated_gmt, parent_order_id) \
             VALUES \
             (100, 'wc-processing', 'EUR', 'shop_order', 2.5, 35.5, 1, 'ann@example.com', \
              {at}, {at}, 0), \
             (101, 'wc-completed', 'EUR', 'shop_order', 0, 30, 0, 'guest@example.org', \
              {at}, {at}, 0), \
             (102, 'wc-on-hold', 'EUR', 'shop_order', 0, 10, 2, 'bo@example.com', \
              {at}, {at}, 0), \
             (103, 'wc-completed', 'EUR', 'shop_order_refund', 0, -5, 1, NULL, \
              '2026-03-02 09:00:00', '2026-03-02 09:00:00', 100)"
        ),
        "INSERT INTO wp_wc_order_operational_data (order_id, created_via, order_key, \
         shipping_total_amount, shipping_tax_amount, discount_total_amount) VALUES \
         (100, 'checkout', 'wc_order_a', 5, 0, 0), (101, 'checkout', 'wc_order_b', 5, 0, 0), \
         (102, 'admin', 'wc_order_c', 0, 0, 0), (103, NULL, NULL, NULL, NULL, NULL)"
            .into(),
        // WooCommerce's own note on Ann's order, as WC_Order::add_order_note
        // writes it (a comment of type order_note by "WooCommerce").
        format!(
            "INSERT INTO wp_comments ({}, comment_author, comment_author_email, \
             comment_date, comment_date_gmt, comment_content, comment_approved, comment_agent, \
             comment_type) VALUES (100, 'WooCommerce', 'woocommerce@example.com', {at}, {at}, \
             'Order status changed from Pending payment to Processing.', '1', 'WooCommerce', \
             'order_note')",
            wp(t.backend, "comment_post_ID")
        ),
        // The site's clock: a zone name, and a stale offset WordPress
        // ignores while the name is set.
        "INSERT INTO wp_options (option_name, option_value) VALUES \
         ('timezone_string', 'Europe/Paris'), ('gmt_offset', '0')"
            .into(),
        "INSERT INTO wp_wc_orders_meta (order_id, meta_key, meta_value) VALUES \
         (103, '_refund_amount', '5.00'), (103, '_refund_reason', 'Chipped mug'), \
         (103, '_refunded_by', '1'), (103, '_refunded_payment', '')"
            .into(),
        "INSERT INTO wp_woocommerce_order_items (order_item_id, order_item_name, \
         order_item_type, order_id) VALUES \
         (1, 'Mug', 'line_item', 100), (2, 'Flat rate', 'shipping', 100), \
         (3, 'Tee', 'line_item', 101), (4, 'Flat rate', 'shipping', 101), \
         (5, 'Poster', 'line_item', 102), (6, 'Gift wrap', 'fee', 100)"
            .into(),
    ];
    let mut meta = Vec::new();
    let lines = [
        (1, 10, 2, "25", "2.5"),
        (3, 11, 1, "20", "0"),
        (5, 99, 1, "10", "0"),
    ];
    for (item, product, qty, total, tax) in lines {
        for (key, value) in [
            ("_product_id", product.to_string()),
            ("_variation_id", "0".into()),
            ("_qty", qty.to_string()),
            ("_line_subtotal", total.into()),
            ("_line_total", total.into()),
            ("_line_tax", tax.into()),
        ] {
            meta.push(format!("({item}, '{key}', '{value}')"));
        }
    }
    // A fee line as WC_Order_Item_Fee_Data_Store saves it: no quantity or
    // product, its amount in `_line_total`.
    for (key, value) in [
        ("_fee_amount", "3"),
        ("_tax_class", ""),
        ("_tax_status", "taxable"),
        ("_line_total", "3"),
        ("_line_tax", "0"),
    ] {
        meta.push(format!("(6, '{key}', '{value}')"));
    }
    for item in [2, 4] {
        meta.push(format!("({item}, 'method_id', 'flat_rate')"));
        meta.push(format!("({item}, 'cost', '5.00')"));
    }
    sql.push(format!(
        "INSERT INTO wp_woocommerce_order_itemmeta (order_item_id, meta_key, meta_value) \
         VALUES {}",
        meta.join(", ")
    ));
    for s in sql {
        t.exec(&s).await;
    }
}
