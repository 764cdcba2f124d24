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
    pub policy: Arc<Policy>,
    /// Sign-in limits, the bound on password checks, the session idle timeout.
    pub sessions: Arc<crate::auth::Sessions>,
    /// The first-start setup code of this process (none when the database had a tenant).
    pub setup: Arc<crate::setup::SetupCode>,
}

/// What the operator decided at start.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `--allow-private-urls`: marketplace base URLs (and webhook endpoints) may be plain http
    /// and resolve to loopback or private addresses. On for the demo and the tests (the
    /// simulator runs on loopback); off in production.
    pub allow_private_urls: bool,
    /// `--public-url`: how browsers reach this server (`https://…` makes the session cookie
    /// `Secure` and names the origin cookie-authenticated requests must come from).
    pub public_url: Option<String>,
}
