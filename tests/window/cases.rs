//! The records the console story works on, picked from a small seeded shop.

use backoffice_core::operators::Operator;
use backoffice_core::session::Ctx;
use backoffice_core::users;
use backoffice_testkit::TestDb;

use crate::driver::seed_as_admin;

pub struct Cases {
    pub admin: Operator,
    /// A paid order with items, to cancel, and the customer who placed it.
    pub order_id: i64,
    pub customer: i64,
    /// An active, unverified user with a plain address, to write to.
    pub user_id: i64,
    pub email: String,
    /// Another active user with a plain address.
    pub other: i64,
}

impl Cases {
    /// Seeds `shop` and picks the records.
    pub async fn pick(shop: &TestDb) -> Cases {
        let db = shop.open().await;
        let admin = seed_as_admin(&db, 300, 600, 11).await;
        // A paid order with items, to cancel; an unverified user to write to.
        let order_id = shop
            .scalar(
                "SELECT o.id FROM orders o WHERE o.status = 'paid' AND EXISTS \
                 (SELECT 1 FROM order_items i WHERE i.order_id = o.id) ORDER BY o.id LIMIT 1",
            )
            .await;
        let customer = shop
            .scalar(&format!("SELECT user_id FROM orders WHERE id = {order_id}"))
            .await;
        let user_id = shop
            .scalar(
                "SELECT id FROM users WHERE status = 'active' AND email_verified_at IS NULL \
                 AND email LIKE '%_@_%._%' AND email = LOWER(email) AND email NOT LIKE '% %' \
                 ORDER BY id LIMIT 1",
            )
            .await;
        let other = shop
            .scalar(&format!(
                "SELECT id FROM users WHERE status = 'active' AND id <> {user_id} \
                 AND email LIKE '%_@_%._%' AND email = LOWER(email) AND email NOT LIKE '% %' \
                 ORDER BY id LIMIT 1"
            ))
            .await;
        let email = users::show(&Ctx::new(&db, &admin), &user_id.to_string())
            .await
            .unwrap()
            .user
            .email;
        db.close().await;
        Cases {
            admin,
            order_id,
            customer,
            user_id,
            email,
            other,
        }
    }
}
