//! The tenant wall. Every tenant-owned row is read, written and deleted through a [`Scope`],
//! and a `Scope` can only be obtained from an authenticated caller (`auth.rs`) or from a job
//! that owns a tenant. Code outside `store` never calls `Entity::find()` on tenant-owned
//! tables; it calls `scope.find::<E>()`, which has the filter already.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DeleteMany, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
    QueryFilter, Select, UpdateMany, Value,
};

use super::entities::*;

/// A tenant-owned table: it has a `tenant_id` column.
pub trait TenantOwned: EntityTrait {
    fn tenant_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($m:ident),+) => {$(
        impl TenantOwned for $m::Entity {
            fn tenant_column() -> Self::Column { $m::Column::TenantId }
        }
    )+};
}
tenant_owned!(
    staff,
    session,
    api_token,
    shop,
    order,
    order_item,
    inquiry,
    inbox_count,
    inquiry_note,
    inquiry_read,
    message,
    attachment,
    template,
    event_log,
    sync_run,
    sync_run_item,
    webhook,
    webhook_delivery
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    tenant_id: i64,
}

impl Scope {
    /// Only the authentication layer, jobs that iterate tenants, and demo seeding make scopes.
    pub(crate) fn of_tenant(tenant_id: i64) -> Self {
        Scope { tenant_id }
    }

    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    /// `SELECT … WHERE tenant_id = ?`
    pub fn find<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id))
    }

    /// One row by primary key, only if it belongs to this tenant.
    pub async fn get<E>(&self, db: &impl ConnectionTrait, id: i64) -> Result<Option<E::Model>, sea_orm::DbErr>
    where
        E: TenantOwned,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    {
        E::find_by_id(id).filter(E::tenant_column().eq(self.tenant_id)).one(db).await
    }

    pub fn update_many<E: TenantOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.tenant_id))
    }

    pub fn delete_many<E: TenantOwned>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.tenant_id))
    }

    /// Inserts a row stamped with this tenant, whatever `tenant_id` the caller set.
    pub async fn insert<E, A>(&self, db: &impl ConnectionTrait, mut row: A) -> Result<E::Model, sea_orm::DbErr>
    where
        E: TenantOwned,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        row.set(E::tenant_column(), Value::BigInt(Some(self.tenant_id)));
        row.insert(db).await
    }

    /// Inserts a row unless one with the same `unique` key is already there (or is being
    /// inserted by a concurrent transaction, which it waits for): `INSERT … ON CONFLICT (…) DO
    /// NOTHING RETURNING *`. `None` when the row was there: read it and go on with it.
    pub async fn insert_unless_present<E, A, I>(
        &self,
        db: &impl ConnectionTrait,
        mut row: A,
        unique: I,
    ) -> Result<Option<E::Model>, sea_orm::DbErr>
    where
        E: TenantOwned,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
        I: IntoIterator<Item = E::Column>,
    {
        row.set(E::tenant_column(), Value::BigInt(Some(self.tenant_id)));
        // Without RETURNING (SQLite answers a skipped row with no row at all), then read back.
        match E::insert(row).on_conflict_do_nothing_on(unique).exec(db).await? {
            sea_orm::TryInsertResult::Inserted(done) => E::find_by_id(done.last_insert_id).one(db).await,
            sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => Ok(None),
        }
    }

    /// Inserts a row stamped with this tenant, or updates the row it collides with on a unique
    /// key as `on_conflict` says (`INSERT … ON CONFLICT (…) DO UPDATE`). The key must contain a
    /// column of a row of this tenant (e.g. its inquiry), so the row updated is this tenant's.
    pub async fn upsert<E, A>(
        &self,
        db: &impl ConnectionTrait,
        mut row: A,
        on_conflict: sea_orm::sea_query::OnConflict,
    ) -> Result<(), sea_orm::DbErr>
    where
        E: TenantOwned,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        row.set(E::tenant_column(), Value::BigInt(Some(self.tenant_id)));
        E::insert(row).on_conflict(on_conflict).exec_without_returning(db).await.map(drop)
    }

    /// Updates a row that was read through this scope (its tenant is checked again).
    pub async fn update<E, A>(&self, db: &impl ConnectionTrait, row: A) -> Result<E::Model, sea_orm::DbErr>
    where
        E: TenantOwned,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        match row.get(E::tenant_column()).into_value() {
            Some(Value::BigInt(Some(t))) if t == self.tenant_id => {}
            _ => return Err(sea_orm::DbErr::RecordNotUpdated),
        }
        row.update(db).await
    }
}
