//! The event log (placeholder of its interface until it is merged).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;
use crate::store::entities::event_log;

/// The tenant's events with a sequence above `after_sequence`, in sequence order.
pub async fn after(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    after_sequence: i64,
    limit: u64,
) -> AppResult<Vec<event_log::Model>> {
    Ok(event_log::Entity::find()
        .filter(event_log::Column::TenantId.eq(tenant_id))
        .filter(event_log::Column::Sequence.gt(after_sequence))
        .order_by_asc(event_log::Column::Sequence)
        .limit(limit)
        .all(db)
        .await?)
}
