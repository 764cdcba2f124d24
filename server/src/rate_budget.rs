//! The marketplaces' rate budgets per shop, kept in the database so that they hold across
//! every server process on one PostgreSQL database (`rate_budget`; the arithmetic is
//! `connectors::pace::reserve_slot`, here in one atomic statement on the database's clock, so
//! processes on machines whose clocks differ still share one budget). SQLite serves one
//! process, which paces in memory.

use std::sync::Arc;
use std::time::Duration;

use connectors::pace::{Pacer, Rate, SharedBudget};
use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

/// The budget of every shop in one database.
pub struct DatabaseBudget {
    db: DatabaseConnection,
}

/// Where a shop's requests are paced: the shared budget on PostgreSQL, this process on SQLite.
pub fn pacer(db: &DatabaseConnection, shop_id: i64) -> Pacer {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => Pacer::shared(shop_id, Arc::new(DatabaseBudget { db: db.clone() })),
        _ => Pacer::local(shop_id),
    }
}

/// Takes the next slot of the shop's budget for `name` at the database's now: the new slot
/// boundary (`tat_ms`) and that now, both in ms.
const RESERVE: &str = "
WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
INSERT INTO rate_budget (shop_id, name, tat_ms)
SELECT $1, $2, now.ms + $3 FROM now
ON CONFLICT (shop_id, name) DO UPDATE
    SET tat_ms = GREATEST(rate_budget.tat_ms, EXCLUDED.tat_ms - $3) + $3
RETURNING tat_ms, (SELECT ms FROM now) AS now_ms";

/// One request's place in a shop's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// When it may go, in ms since the epoch on the database's clock.
    pub go_at_ms: i64,
    /// How long it waits from now.
    pub wait: Duration,
}

impl DatabaseBudget {
    pub fn new(db: DatabaseConnection) -> DatabaseBudget {
        DatabaseBudget { db }
    }

    /// Reserves one request of the shop's budget for `name`.
    pub async fn take(&self, shop_id: i64, name: &str, rate: Rate) -> Result<Reservation, sea_orm::DbErr> {
        let period = rate.period.as_millis() as i64;
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                RESERVE,
                [shop_id.into(), name.into(), period.into()],
            ))
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound("rate_budget".into()))?;
        let tat: i64 = row.try_get("", "tat_ms")?;
        let now: i64 = row.try_get("", "now_ms")?;
        // The slot taken ends at `tat`; the request may go `burst − 1` periods before it.
        let go_at = tat - period - period * (i64::from(rate.burst.max(1)) - 1);
        Ok(Reservation { go_at_ms: go_at, wait: Duration::from_millis((go_at - now).max(0) as u64) })
    }
}

impl SharedBudget for DatabaseBudget {
    fn reserve(&self, shop_id: i64, name: &str, rate: Rate) -> BoxFuture<'_, Option<Duration>> {
        let name = name.to_owned();
        Box::pin(async move {
            match self.take(shop_id, &name, rate).await {
                Ok(r) => Some(r.wait),
                Err(e) => {
                    tracing::warn!(shop = shop_id, error = %e, "the shared rate budget could not be read");
                    None
                }
            }
        })
    }
}
