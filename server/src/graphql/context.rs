//! What a resolver can reach: the app state (schema data), and per caller the [`Actor`] and
//! its batch loaders.

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::auth::Actor;
use crate::error::AppError;
use crate::graphql::loaders::{
    AttachmentsLoader, InquiriesOfOrderLoader, ItemsLoader, MessagesLoader, NotesLoader, OrderByNumberLoader,
    ShopLoader, StaffLoader, UnreadLoader,
};
use crate::state::AppState;

pub struct Loaders {
    pub shops: DataLoader<ShopLoader>,
    pub messages: DataLoader<MessagesLoader>,
    pub attachments: DataLoader<AttachmentsLoader>,
    pub items: DataLoader<ItemsLoader>,
    pub order_by_number: DataLoader<OrderByNumberLoader>,
    pub inquiries_of_order: DataLoader<InquiriesOfOrderLoader>,
    pub staff: DataLoader<StaffLoader>,
    pub notes: DataLoader<NotesLoader>,
    pub unread: DataLoader<UnreadLoader>,
}

impl Loaders {
    pub fn new(state: &AppState, actor: &Actor) -> Self {
        let db = state.db.clone();
        let scope = actor.scope;
        Loaders {
            shops: DataLoader::new(ShopLoader { db: db.clone(), scope }, tokio::spawn),
            messages: DataLoader::new(MessagesLoader { db: db.clone(), scope }, tokio::spawn),
            attachments: DataLoader::new(AttachmentsLoader { db: db.clone(), scope }, tokio::spawn),
            items: DataLoader::new(ItemsLoader { db: db.clone(), scope }, tokio::spawn),
            order_by_number: DataLoader::new(OrderByNumberLoader { db: db.clone(), scope }, tokio::spawn),
            inquiries_of_order: DataLoader::new(InquiriesOfOrderLoader { db: db.clone(), scope }, tokio::spawn),
            staff: DataLoader::new(StaffLoader { db: db.clone(), scope }, tokio::spawn),
            notes: DataLoader::new(NotesLoader { db: db.clone(), scope }, tokio::spawn),
            unread: DataLoader::new(UnreadLoader { db, scope, reader: crate::inbox::Reader::of(actor) }, tokio::spawn),
        }
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
