//! The event log (its read interface, until the event log itself is merged).

use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;
use crate::store::Scope;
use crate::store::entities::event_log;

pub use crate::store::entities::event_log::{EventType, Model};

/// The tenant's events after `after_sequence`, in sequence order, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    after_sequence: i64,
    limit: u64,
) -> AppResult<Vec<event_log::Model>> {
    Ok(Scope::of_tenant(tenant_id)
        .find::<event_log::Entity>()
        .filter(event_log::Column::Sequence.gt(after_sequence))
        .order_by_asc(event_log::Column::Sequence)
        .limit(limit)
        .all(db)
        .await?)
}

/// What the event log has kept of a tenant: the last sequence handed out and the highest one
/// retention deleted (both 0 before the first event).
pub async fn bounds(db: &impl ConnectionTrait, tenant_id: i64) -> AppResult<(i64, i64)> {
    let last: Option<Option<i64>> = Scope::of_tenant(tenant_id)
        .find::<event_log::Entity>()
        .select_only()
        .column_as(event_log::Column::Sequence.max(), "m")
        .into_tuple()
        .one(db)
        .await?;
    Ok((last.flatten().unwrap_or(0), 0))
}
