//! The shop sections of the format: what `validate` refuses whatever the
//! database, and the lifecycle's refusals in words.

use super::*;

/// A small shop mapping in the file format (orders of a legacy back end).
const SHOP: &str = r#"
format = 1

[order]
table = "sales"
key = "ref"
status = "state"
currency = { kind = "fixed", code = "EUR" }
money = "decimal"
total = "amount"
placed = "booked_on"

[items]
table = "sale_lines"
key = "id"
order = "sale_ref"
quantity = "qty"
product = "article"
line_total = "line_amount"

[stock]
table = "articles"
key = "code"
on_hand = "on_shelf"
on_cancel = "restock"

[lifecycle]
statuses = ["N", "P", "S", "X"]
cancelled = ["X"]
closed = ["X"]
refundable = ["P", "S"]
shipped = ["S"]
stamps = { S = "sent_on" }

[lifecycle.moves]
N = ["P", "X"]
P = ["S", "X"]
"#;

fn problems(text: &str) -> String {
    Mapping::parse(text).unwrap_err().to_string()
}

#[test]
fn a_hand_written_shop_mapping_reads_and_names_its_columns() {
    let m = Mapping::parse(SHOP).unwrap();
    let refs = m.refs();
    let stamp = refs
        .iter()
        .find(|r| r.concept == "lifecycle.stamps")
        .unwrap();
    assert_eq!(
        (stamp.table.as_str(), stamp.column.as_deref()),
        ("sales", Some("sent_on"))
    );
    let total = refs.iter().find(|r| r.concept == "order.total").unwrap();
    assert_eq!(total.want, Want::Money(Money::Decimal));
    assert_eq!(Mapping::parse(&m.to_toml()).unwrap(), m);
}

#[test]
fn the_shop_sections_must_agree() {
    let undeclared = SHOP.replace(r#"P = ["S", "X"]"#, r#"P = ["S", "Shipped"]"#);
    assert!(
        problems(&undeclared)
            .contains("lifecycle.moves.P: 'Shipped' is not one of lifecycle.statuses"),
        "{}",
        problems(&undeclared)
    );
    let code = SHOP.replace(r#"code = "EUR""#, r#"code = "euro""#);
    assert!(problems(&code).contains("'euro' is not a currency code"));
    let release = SHOP.replace(r#"on_cancel = "restock""#, r#"on_cancel = "release""#);
    assert!(problems(&release).contains("\"release\" needs stock.allocated"));
    let no_lifecycle = SHOP.split("[lifecycle]").next().unwrap().to_string();
    assert!(problems(&no_lifecycle).contains("order: needs a [lifecycle] section"));
    let orphan = "format = 1\n[notes]\ntable = \"n\"\norder = \"o\"\nbody = \"b\"\nat = \"t\"\n";
    assert!(problems(orphan).contains("notes: needs an [order] section"));
    let sql = SHOP.replace(r#"total = "amount""#, r#"total = "amount + 1""#);
    assert!(problems(&sql).contains("'amount + 1' is not a table or column name"));
    let no_amount = SHOP.replace("line_total = \"line_amount\"\n", "");
    assert!(
        problems(&no_amount).contains("items: needs line_total or unit_price"),
        "{}",
        problems(&no_amount)
    );
    let priced = no_amount.replace(
        "quantity = \"qty\"",
        "quantity = \"qty\"\nunit_price = \"price\"",
    );
    assert!(Mapping::parse(&priced).is_ok(), "{priced}");
    let money = SHOP.replace(r#"money = "decimal""#, r#"money = "float""#);
    assert!(
        problems(&money).contains("unknown variant `float`"),
        "{}",
        problems(&money)
    );
}

#[test]
fn a_declared_lifecycle_refuses_in_words() {
    let l = Mapping::parse(SHOP).unwrap().lifecycle.unwrap();
    assert_eq!(l.refusal("N", "P"), None);
    assert_eq!(
        l.refusal("N", "S").unwrap(),
        "a N order cannot become S; it can become P or X"
    );
    assert_eq!(
        l.refusal("X", "N").unwrap(),
        "a X order cannot move to any other status"
    );
    assert_eq!(
        l.refusal("Q", "P").unwrap(),
        "the order's status 'Q' is not one the mapping declares; \
         add it to lifecycle.statuses before moving the order"
    );
    assert!(l
        .refusal("P", "Lost")
        .unwrap()
        .starts_with("'Lost' is not a status of this shop"));
}

/// Lines kept as meta rows, among other items (WooCommerce's shape).
const META_LINES: &str = r#"
[items]
table = "items"
key = "item_id"
order = "sale_ref"
quantity = "_qty"
line_total = "_line_total"
only = { item_type = "line_item" }

[items.meta]
table = "itemmeta"
owner = "item_id"
of = "item_id"
name = "meta_key"
value = "meta_value"
"#;

#[test]
fn shared_tables_and_meta_rows_are_plain_words() {
    let without_items = SHOP.replace(
        "[items]\ntable = \"sale_lines\"\nkey = \"id\"\norder = \"sale_ref\"\nquantity = \"qty\"\n\
         product = \"article\"\nline_total = \"line_amount\"\n",
        "",
    );
    let meta = format!("{without_items}{META_LINES}");
    // Stock comes back by a line's own columns, which meta lines lack.
    assert!(
        problems(&meta).contains("items.meta: lines kept as meta rows cannot give stock back"),
        "{}",
        problems(&meta)
    );
    let stockless = meta.replace(
        "[stock]\ntable = \"articles\"\nkey = \"code\"\non_hand = \"on_shelf\"\non_cancel = \"restock\"\n",
        "",
    );
    let m = Mapping::parse(&stockless).unwrap();
    assert_eq!(Mapping::parse(&m.to_toml()).unwrap(), m);
    // Meta keys name columns no catalogue lists: not checked against it.
    assert!(!m.refs().iter().any(|r| r.column.as_deref() == Some("_qty")));
    assert!(m
        .refs()
        .iter()
        .any(|r| r.table == "itemmeta" && r.column.as_deref() == Some("meta_value")));
    let quoted = stockless.replace("\"line_item\"", "\"line'item\"");
    assert!(problems(&quoted).contains("has a quote or backslash"));
    let dotted = stockless.replace("\"_qty\"", "\"wp._qty\"");
    assert!(problems(&dotted).contains("meta key 'wp._qty' is not a plain name"));
}

#[test]
fn fee_rows_are_other_rows_of_the_items_table() {
    let fees = "[items.fees]\nonly = { item_type = \"fee\" }\n";
    let with_fees = SHOP.replace("[stock]", &format!("{fees}\n[stock]"));
    let m = Mapping::parse(&with_fees).unwrap();
    assert_eq!(Mapping::parse(&m.to_toml()).unwrap(), m);
    assert!(m
        .refs()
        .iter()
        .any(|r| r.concept == "items.fees.only" && r.column.as_deref() == Some("item_type")));
    // No values, or the lines' own: every line would count twice.
    let all = with_fees.replace("only = { item_type = \"fee\" }", "only = {}");
    assert!(problems(&all).contains("items.fees.only: name the values that make a row a fee"));
    let unpriced = with_fees
        .replace("line_total = \"line_amount\"\n", "")
        .replace(
            "quantity = \"qty\"",
            "quantity = \"qty\"\nunit_price = \"price\"",
        );
    assert!(problems(&unpriced).contains("items.fees: a fee's amount is the items' line_total"));
}
