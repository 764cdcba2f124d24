//! AppError → GraphQL error with a stable `extensions.code` (API.md). Internal errors are
//! logged here and never shown.

use async_graphql::{Error, ErrorExtensions};

use crate::error::AppError;

impl From<AppError> for Error {
    fn from(e: AppError) -> Self {
        if let AppError::Internal(inner) = &e {
            tracing::error!(error = ?inner, "internal error");
        }
        let code = e.code();
        let message = e.message();
        let err = Error::new(message);
        match e {
            AppError::Validation { field, errors, .. } => err.extend_with(|_, ext| {
                ext.set("code", code);
                ext.set("field", field.clone());
                ext.set(
                    "errors",
                    async_graphql::Value::List(
                        errors
                            .iter()
                            .map(|fe| {
                                let mut m = async_graphql::indexmap::IndexMap::new();
                                m.insert(
                                    async_graphql::Name::new("field"),
                                    async_graphql::Value::from(fe.field.clone()),
                                );
                                m.insert(
                                    async_graphql::Name::new("message"),
                                    async_graphql::Value::from(fe.message.clone()),
                                );
                                async_graphql::Value::Object(m)
                            })
                            .collect(),
                    ),
                );
            }),
            _ => err.extend_with(|_, ext| ext.set("code", code)),
        }
    }
}

/// An opaque ID from the API back to a row id; anything unparsable is simply not found.
pub fn parse_id(id: &async_graphql::ID, what: &'static str) -> Result<i64, AppError> {
    id.parse::<i64>().map_err(|_| AppError::NotFound(what))
}

pub fn opt_id(id: Option<&async_graphql::ID>, what: &'static str) -> Result<Option<i64>, AppError> {
    id.map(|i| parse_id(i, what)).transpose()
}
