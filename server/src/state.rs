//! The one shared state of a running server.

use std::sync::Arc;

use object_store::ObjectStore;
use sea_orm::DatabaseConnection;

use crate::crypto::Sealer;
use crate::events::EventBus;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub events: EventBus,
    /// Attachment bytes: a local folder by default, any object store in production.
    pub files: Arc<dyn ObjectStore>,
    pub sealer: Sealer,
}
