//! The demo catalogue.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{CURRENCIES, PRODUCT_ADJECTIVES, PRODUCT_NOUNS};
use super::plan::{assign, mix};
use super::writer::{Batch, Value};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum ProductKind {
    NegativeStock,
    ActiveNonPositivePrice,
    DuplicateSku,
}

const KINDS: &[(ProductKind, f64)] = &[
    (ProductKind::NegativeStock, 0.01),
    (ProductKind::ActiveNonPositivePrice, 0.005),
    (ProductKind::DuplicateSku, 0.005),
];

impl ProductKind {
    pub(crate) fn defect(self) -> &'static str {
        match self {
            ProductKind::NegativeStock => "products.negative_stock",
            ProductKind::ActiveNonPositivePrice => "products.active_nonpositive_price",
            ProductKind::DuplicateSku => "products.duplicate_sku",
        }
    }
}

/// How many products a database of `users` users gets.
pub(crate) fn product_count(users: u64) -> u64 {
    (users / 100).clamp(40, 20_000)
}

/// Products that orders may use, by currency: (id, unit price).
pub(crate) type Shelves = HashMap<&'static str, Vec<(i64, i64)>>;

pub(crate) fn generate(
    seed: u64,
    n: u64,
    now: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> (Batch, Shelves, Vec<(ProductKind, u64)>) {
    // Leave the first few products clean so every currency has stock to sell.
    let (kinds, counts) = assign(rng, n, KINDS);
    let mut batch = Batch::new(
        "products",
        &[
            "id",
            "sku",
            "name",
            "price_cents",
            "currency",
            "stock",
            "active",
            "created_at",
            "updated_at",
            "version",
        ],
    );
    let mut shelves: Shelves = HashMap::new();
    let mut originals = std::collections::HashSet::new();
    for row in 1..=n {
        let mut r = ChaCha8Rng::seed_from_u64(mix(seed, row, 7));
        let currency = CURRENCIES[match row % 10 {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        }];
        let name = format!(
            "{} {}",
            PRODUCT_ADJECTIVES[r.gen_range(0..PRODUCT_ADJECTIVES.len())],
            PRODUCT_NOUNS[r.gen_range(0..PRODUCT_NOUNS.len())]
        );
        let mut sku = format!("SKU-{row:06}");
        let mut price: i64 = r.gen_range(299..=19_999);
        let mut stock: i64 = r.gen_range(0..=500);
        let mut active = r.gen_bool(0.95);
        match kinds.get(&row) {
            Some(ProductKind::NegativeStock) => stock = -r.gen_range(1..=20),
            Some(ProductKind::ActiveNonPositivePrice) => {
                price = if row % 2 == 0 {
                    0
                } else {
                    -r.gen_range(1..=500)
                };
                active = true;
            }
            // Differs from another product's SKU only by case and spacing.
            Some(ProductKind::DuplicateSku) => {
                // Each original gets one duplicate, so each pair is one group.
                let original = (1..row)
                    .rev()
                    .chain(row + 1..=n)
                    .find(|o| !kinds.contains_key(o) && !originals.contains(o));
                if let Some(o) = original {
                    originals.insert(o);
                    sku = format!("sku-{o:06} ");
                }
            }
            None => {}
        }
        if !kinds.contains_key(&row) && active {
            shelves
                .entry(currency)
                .or_default()
                .push((row as i64, price));
        }
        let created = now - Duration::days(r.gen_range(400..=1_200));
        batch.push(vec![
            Value::Int(row as i64),
            Value::Text(sku),
            Value::Text(name),
            Value::Int(price),
            Value::Text(currency.into()),
            Value::Int(stock),
            Value::Bool(active),
            Value::Time(created),
            Value::Time(created + Duration::days(r.gen_range(0..=300))),
            Value::Int(1),
        ]);
    }
    (batch, shelves, counts)
}
