//! The application's error: one enum, one stable code per variant (API.md's `extensions.code`).
//!
//! It deliberately does not implement `Display`: the GraphQL layer converts it with its code
//! (`graphql/error.rs`), and internal errors are logged there, never shown to the caller.

use shared::template::FieldError;

#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    Forbidden(String),
    NotFound(&'static str),
    Validation {
        field: String,
        message: String,
        errors: Vec<FieldError>,
    },
    ApiOptionRequired(String),
    Conflict(String),
    MarketplaceRefused(String),
    MarketplaceUnavailable(String),
    /// The database cannot be reached (down, restarting, no free connection in time): nothing
    /// was changed; the same request can be sent again shortly.
    DatabaseUnavailable,
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Validation { .. } => "VALIDATION",
            AppError::ApiOptionRequired(_) => "API_OPTION_REQUIRED",
            AppError::Conflict(_) => "CONFLICT",
            AppError::MarketplaceRefused(_) => "MARKETPLACE_REFUSED",
            AppError::MarketplaceUnavailable(_) => "MARKETPLACE_UNAVAILABLE",
            AppError::DatabaseUnavailable => "DATABASE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The message the caller sees (Japanese first, English in parentheses).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "ログインが必要です (authentication required)".into(),
            AppError::Forbidden(m)
            | AppError::ApiOptionRequired(m)
            | AppError::Conflict(m)
            | AppError::MarketplaceRefused(m)
            | AppError::MarketplaceUnavailable(m) => m.clone(),
            AppError::NotFound(what) => format!("{what}が見つかりません ({what} not found)"),
            AppError::Validation { message, .. } => message.clone(),
            AppError::DatabaseUnavailable => {
                "データベースに接続できません。しばらくしてからもう一度お試しください (the database is unavailable; try again shortly)".into()
            }
            AppError::Internal(_) => "内部エラーが発生しました (internal error)".into(),
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            field: field.to_owned(),
            errors: vec![FieldError { field: field.to_owned(), message: message.clone() }],
            message,
        }
    }

    pub fn from_field_errors(errors: Vec<FieldError>) -> Self {
        let first = errors.first().cloned().unwrap_or(FieldError { field: String::new(), message: String::new() });
        let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" / ");
        AppError::Validation { field: first.field, message, errors }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        match e.downcast_ref::<sea_orm::DbErr>() {
            Some(db) if database_unreachable(db) => AppError::DatabaseUnavailable,
            _ => AppError::Internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        if database_unreachable(&e) {
            tracing::warn!(error = %e, "the database is unavailable");
            return AppError::DatabaseUnavailable;
        }
        AppError::Internal(e.into())
    }
}

/// Whether an error says the database could not be reached at all (as opposed to a query it
/// refused): no connection in time, a connection refused or lost, a pool closed.
pub fn database_unreachable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let sqlx = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => s,
        _ => return false,
    };
    use sea_orm::sqlx::Error as S;
    match &**sqlx {
        S::Io(_) | S::Tls(_) | S::PoolTimedOut | S::PoolClosed | S::WorkerCrashed => true,
        // PostgreSQL shutting down or starting up: admin_shutdown, crash_shutdown,
        // cannot_connect_now (57P01..57P03).
        S::Database(d) => d.code().is_some_and(|c| c.starts_with("57P")),
        _ => false,
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}
