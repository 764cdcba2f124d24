//! Batch loaders (no cache: batching only, so nothing goes stale on long-lived sockets).
//! Each is built for one caller, with that caller's tenant scope.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};

use crate::store::Scope;
use crate::store::entities::{attachment, message, order_item, shop};
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
