//! Batch loaders (no cache: batching only, so nothing goes stale on long-lived sockets).
//! Each is built for one caller, with that caller's tenant scope.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder};

use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message, order, order_item, shop, staff};
use crate::{inbox, orders};

pub struct ShopLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for ShopLoader {
    type Value = shop::Model;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, shop::Model>, String> {
        let rows = self
            .scope
            .find::<shop::Entity>()
            .filter(shop::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// Staff members by id (an inquiry's assignee, a note's author).
pub struct StaffLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for StaffLoader {
    type Value = staff::Model;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, staff::Model>, String> {
        let rows = self
            .scope
            .find::<staff::Entity>()
            .filter(staff::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

pub struct MessagesLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for MessagesLoader {
    type Value = Vec<message::Model>;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<message::Model>>, String> {
        inbox::messages_of(&self.db, self.scope, keys).await.map_err(|e| e.message())
    }
}

pub struct AttachmentsLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for AttachmentsLoader {
    type Value = Vec<attachment::Model>;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<attachment::Model>>, String> {
        inbox::attachments_of(&self.db, self.scope, keys).await.map_err(|e| e.message())
    }
}

pub struct ItemsLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for ItemsLoader {
    type Value = Vec<order_item::Model>;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<order_item::Model>>, String> {
        orders::items_of(&self.db, self.scope, keys).await.map_err(|e| e.message())
    }
}

/// An inquiry's order, by its link `(shop, order number)`.
pub struct OrderByNumberLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<(i64, String)> for OrderByNumberLoader {
    type Value = order::Model;
    type Error = String;

    async fn load(&self, keys: &[(i64, String)]) -> Result<HashMap<(i64, String), order::Model>, String> {
        let any = keys.iter().fold(Condition::any(), |c, (shop, number)| {
            c.add(
                Condition::all()
                    .add(order::Column::ShopId.eq(*shop))
                    .add(order::Column::OrderNumber.eq(number.as_str())),
            )
        });
        let rows = self.scope.find::<order::Entity>().filter(any).all(&self.db).await.map_err(|e| e.to_string())?;
        Ok(rows.into_iter().map(|r| ((r.shop_id, r.order_number.clone()), r)).collect())
    }
}

/// An order's inquiry history, by `(shop, order number)`, newest first.
pub struct InquiriesOfOrderLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<(i64, String)> for InquiriesOfOrderLoader {
    type Value = Vec<inquiry::Model>;
    type Error = String;

    async fn load(&self, keys: &[(i64, String)]) -> Result<HashMap<(i64, String), Vec<inquiry::Model>>, String> {
        let any = keys.iter().fold(Condition::any(), |c, (shop, number)| {
            c.add(
                Condition::all()
                    .add(inquiry::Column::ShopId.eq(*shop))
                    .add(inquiry::Column::OrderNumber.eq(number.as_str())),
            )
        });
        let rows = self
            .scope
            .find::<inquiry::Entity>()
            .filter(any)
            .order_by_desc(inquiry::Column::LastMessageAt)
            .order_by_desc(inquiry::Column::Id)
            .all(&self.db)
            .await
            .map_err(|e| e.to_string())?;
        let mut map: HashMap<(i64, String), Vec<inquiry::Model>> = HashMap::new();
        for r in rows {
            if let Some(number) = r.order_number.clone() {
                map.entry((r.shop_id, number)).or_default().push(r);
            }
        }
        Ok(map)
    }
}
