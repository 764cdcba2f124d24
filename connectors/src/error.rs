//! What can go wrong talking to a marketplace.

/// What can go wrong talking to a marketplace. Every message names the shop, so a run's
/// error list and the logs say plainly which shop needs attention.
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// The shop has no credentials (or they cannot be read): nothing can be sent or fetched.
    #[error("{0}")]
    NotConfigured(String),
    /// The key was refused; `expired` when the marketplace says it has expired.
    #[error("{message}")]
    Auth { expired: bool, message: String },
    /// The marketplace answered and refused the request (validation, not found, …).
    #[error("{0}")]
    Refused(String),
    /// Temporary failures that outlasted the retries (429, 5xx, timeouts, dropped connections).
    #[error("{0}")]
    Unavailable(String),
    /// A request that must not be made twice (a reply) was sent, but its answer was lost (a
    /// timeout, a dropped connection): it may have arrived. Not retried blindly — the caller
    /// looks in the marketplace first (see [`crate::http::once_only`]).
    #[error("{0}")]
    Uncertain(String),
    /// The answer could not be understood.
    #[error("{0}")]
    Protocol(String),
    /// This marketplace (or Madoguchi's connector for it) cannot do that.
    #[error("{0}")]
    Unsupported(String),
}

pub type MResult<T> = Result<T, MarketplaceError>;

impl MarketplaceError {
    /// An answer whose field `field` cannot be read (`value` as received), for shop `label`:
    /// the mapping refuses it rather than guessing (a wrong date would sort and filter wrongly).
    pub fn unreadable(label: &str, field: &str, value: &str) -> MarketplaceError {
        MarketplaceError::Protocol(format!(
            "{label}: 応答の「{field}」を読めません: {value:?} (unreadable {field} in the marketplace's answer)"
        ))
    }
}
