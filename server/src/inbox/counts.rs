//! 返信が必要 counts: in total, per shop, and the open inquiries whose reply failed.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, FromQueryResult, QueryFilter, QueryOrder};

use crate::error::AppResult;
use crate::store::Scope;
use crate::store::entities::{inquiry, shop};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxCounts {
    pub needs_reply: i64,
    /// Open inquiries whose latest reply failed to send.
    pub failed_deliveries: i64,
    /// Every shop of the tenant, with zero where nothing waits.
    pub by_shop: Vec<(shop::Model, i64)>,
}

#[derive(FromQueryResult)]
struct ShopCountRow {
    shop_id: i64,
    n: i64,
}

pub async fn counts(db: &DatabaseConnection, scope: Scope) -> AppResult<InboxCounts> {
    let rows = ShopCountRow::find_by_statement(
        db.get_database_backend().build(
            Query::select()
                .column(inquiry::Column::ShopId)
                .expr_as(Expr::col(inquiry::Column::Id).count(), "n")
                .from(inquiry::Entity)
                .and_where(inquiry::Column::TenantId.eq(scope.tenant_id()))
                .and_where(inquiry::Column::Status.eq(inquiry::Status::NeedsReply))
                .group_by_col(inquiry::Column::ShopId),
        ),
    )
    .all(db)
    .await?;
    let per: HashMap<i64, i64> = rows.into_iter().map(|r| (r.shop_id, r.n)).collect();
    let shops = scope.find::<shop::Entity>().order_by_asc(shop::Column::Id).all(db).await?;
    let by_shop: Vec<_> = shops
        .into_iter()
        .map(|s| {
            let n = per.get(&s.id).copied().unwrap_or(0);
            (s, n)
        })
        .collect();
    use sea_orm::PaginatorTrait;
    let failed_deliveries = scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ReplyFailed.eq(true))
        .filter(inquiry::Column::Status.eq(inquiry::Status::NeedsReply))
        .count(db)
        .await? as i64;
    Ok(InboxCounts { needs_reply: by_shop.iter().map(|(_, n)| n).sum(), failed_deliveries, by_shop })
}

/// 返信が必要 of one shop.
pub async fn needs_reply_count(db: &DatabaseConnection, scope: Scope, shop_id: i64) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop_id))
        .filter(inquiry::Column::Status.eq(inquiry::Status::NeedsReply))
        .count(db)
        .await?)
}
