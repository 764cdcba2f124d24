//! Batch loaders (no cache: batching only, so nothing goes stale on long-lived sockets).
//! Each is built for one caller, with that caller's tenant scope, and reads through the
//! application modules.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, inquiry_note, message, order, order_item, shop, staff};
use crate::{inbox, inbox_teams, orders, shops};

/// The error a loader hands to `context::load_err`, which logs it: an internal error with its
/// detail (the caller only ever sees "internal error").
fn detail(e: AppError) -> String {
    match e {
        AppError::Internal(inner) => format!("{inner:#}"),
        other => other.message(),
    }
}

pub struct ShopLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for ShopLoader {
    type Value = shop::Model;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, shop::Model>, String> {
        shops::by_ids(&self.db, self.scope, keys).await.map_err(detail)
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
        inbox_teams::staff_members(&self.db, self.scope, keys).await.map_err(detail)
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
        inbox::messages_of(&self.db, self.scope, keys).await.map_err(detail)
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
        inbox::attachments_of(&self.db, self.scope, keys).await.map_err(detail)
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
        orders::items_of(&self.db, self.scope, keys).await.map_err(detail)
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
        orders::by_numbers(&self.db, self.scope, keys).await.map_err(detail)
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
        inbox::of_orders(&self.db, self.scope, keys).await.map_err(detail)
    }
}

/// 社内メモ of inquiries, oldest first.
pub struct NotesLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

impl Loader<i64> for NotesLoader {
    type Value = Vec<inquiry_note::Model>;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<inquiry_note::Model>>, String> {
        inbox_teams::notes_of(&self.db, self.scope, keys).await.map_err(detail)
    }
}

/// Whether inquiries are unread for the caller (`inbox::Reader`; `None`: never unread).
pub struct UnreadLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
    pub reader: Option<inbox::Reader>,
}

impl Loader<i64> for UnreadLoader {
    type Value = bool;
    type Error = String;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, bool>, String> {
        inbox::unread_of(&self.db, self.scope, self.reader, keys).await.map_err(detail)
    }
}
