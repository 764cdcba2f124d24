//! What a resolver can reach: the app state (schema data), and per caller the [`Actor`] and
//! its batch loaders.

use async_graphql::Context;
use std::sync::OnceLock;

use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;

use crate::auth::Actor;
use crate::error::AppError;
use crate::graphql::loaders::{
    AttachmentsLoader, InquiriesOfOrderLoader, ItemsLoader, MessagesLoader, NotesLoader, OrderByNumberLoader,
    ShopLoader, StaffLoader, UnreadLoader,
};
use crate::state::AppState;
use crate::store::Scope;

/// The batch loaders of one operation, each made when a resolver first asks for it: most
/// operations use one or two of the nine, and a subscription holds its loaders for as long as
/// it runs (thousands of idle sockets each keep one).
pub struct Loaders {
    db: DatabaseConnection,
    scope: Scope,
    reader: Option<crate::inbox::Reader>,
    shops: OnceLock<DataLoader<ShopLoader>>,
    messages: OnceLock<DataLoader<MessagesLoader>>,
    attachments: OnceLock<DataLoader<AttachmentsLoader>>,
    items: OnceLock<DataLoader<ItemsLoader>>,
    order_by_number: OnceLock<DataLoader<OrderByNumberLoader>>,
    inquiries_of_order: OnceLock<DataLoader<InquiriesOfOrderLoader>>,
    staff: OnceLock<DataLoader<StaffLoader>>,
    notes: OnceLock<DataLoader<NotesLoader>>,
    unread: OnceLock<DataLoader<UnreadLoader>>,
}

/// The loader in `cell`, made by `make` the first time.
fn lazy<T: Send + Sync + 'static>(cell: &OnceLock<DataLoader<T>>, make: impl FnOnce() -> T) -> &DataLoader<T> {
    cell.get_or_init(|| DataLoader::new(make(), tokio::spawn))
}

impl Loaders {
    pub fn new(state: &AppState, actor: &Actor) -> Self {
        Loaders {
            db: state.db.clone(),
            scope: actor.scope,
            reader: crate::inbox::Reader::of(actor),
            shops: OnceLock::new(),
            messages: OnceLock::new(),
            attachments: OnceLock::new(),
            items: OnceLock::new(),
            order_by_number: OnceLock::new(),
            inquiries_of_order: OnceLock::new(),
            staff: OnceLock::new(),
            notes: OnceLock::new(),
            unread: OnceLock::new(),
        }
    }

    pub fn shops(&self) -> &DataLoader<ShopLoader> {
        lazy(&self.shops, || ShopLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn messages(&self) -> &DataLoader<MessagesLoader> {
        lazy(&self.messages, || MessagesLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn attachments(&self) -> &DataLoader<AttachmentsLoader> {
        lazy(&self.attachments, || AttachmentsLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn items(&self) -> &DataLoader<ItemsLoader> {
        lazy(&self.items, || ItemsLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn order_by_number(&self) -> &DataLoader<OrderByNumberLoader> {
        lazy(&self.order_by_number, || OrderByNumberLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn inquiries_of_order(&self) -> &DataLoader<InquiriesOfOrderLoader> {
        lazy(&self.inquiries_of_order, || InquiriesOfOrderLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn staff(&self) -> &DataLoader<StaffLoader> {
        lazy(&self.staff, || StaffLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn notes(&self) -> &DataLoader<NotesLoader> {
        lazy(&self.notes, || NotesLoader { db: self.db.clone(), scope: self.scope })
    }
    pub fn unread(&self) -> &DataLoader<UnreadLoader> {
        lazy(&self.unread, || UnreadLoader { db: self.db.clone(), scope: self.scope, reader: self.reader })
    }
}

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub fn actor<'a>(ctx: &Context<'a>) -> Result<&'a Actor, AppError> {
    ctx.data_opt::<Actor>().ok_or(AppError::Unauthenticated)
}

pub fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
    ctx.data_opt::<Loaders>().ok_or(AppError::Unauthenticated)
}

pub fn load_err(e: String) -> AppError {
    AppError::internal(anyhow::anyhow!("loader: {e}"))
}
