//! Reply templates (テンプレート): tenant-wide, validated by `shared::template::TemplateDraft`.

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::store::entities::{inquiry, shop, template};
use shared::template::{ShopProfile, TemplateDraft};

pub async fn list(db: &DatabaseConnection, actor: &Actor, category: Option<&str>) -> AppResult<Vec<template::Model>> {
    actor.require(Permission::Read)?;
    let mut q = actor.scope.find::<template::Entity>();
    if let Some(c) = category.map(str::trim).filter(|c| !c.is_empty()) {
        q = q.filter(template::Column::Category.eq(c));
    }
    Ok(q.order_by_asc(template::Column::Category)
        .order_by_asc(template::Column::Name)
        .order_by_asc(template::Column::Id)
        .all(db)
        .await?)
}

pub async fn categories(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<String>> {
    actor.require(Permission::Read)?;
    Ok(actor
        .scope
        .find::<template::Entity>()
        .select_only()
        .column(template::Column::Category)
        .distinct()
        .order_by_asc(template::Column::Category)
        .into_tuple::<String>()
        .all(db)
        .await?)
}

fn draft(category: &str, name: &str, body: &str) -> AppResult<TemplateDraft> {
    TemplateDraft::parse(category, name, body).map_err(AppError::from_field_errors)
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    category: &str,
    name: &str,
    body: &str,
) -> AppResult<template::Model> {
    actor.require(Permission::Write)?;
    let d = draft(category, name, body)?;
    let now = clock::now();
    Ok(actor
        .scope
        .insert(
            db,
            template::ActiveModel {
                category: Set(d.category),
                name: Set(d.name),
                body: Set(d.body),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    category: &str,
    name: &str,
    body: &str,
) -> AppResult<template::Model> {
    actor.require(Permission::Write)?;
    let d = draft(category, name, body)?;
    let row = actor.scope.get::<template::Entity>(db, id).await?.ok_or(AppError::NotFound("テンプレート"))?;
    let mut am: template::ActiveModel = row.into();
    am.category = Set(d.category);
    am.name = Set(d.name);
    am.body = Set(d.body);
    am.updated_at = Set(clock::now());
    Ok(actor.scope.update(db, am).await?)
}

pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::Write)?;
    let res = actor.scope.delete_many::<template::Entity>().filter(template::Column::Id.eq(id)).exec(db).await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound("テンプレート"));
    }
    Ok(())
}

pub fn profile_of(s: &shop::Model) -> ShopProfile {
    ShopProfile {
        mall_shop_name: s.mall_shop_name.clone(),
        staff_name: s.staff_name.clone(),
        phone: s.phone.clone(),
        email: s.email.clone(),
    }
}

/// The template as the customer of this inquiry would receive it (same function as the SPA preview).
pub async fn render_for_inquiry(
    db: &DatabaseConnection,
    actor: &Actor,
    template_id: i64,
    inquiry_id: i64,
) -> AppResult<String> {
    actor.require(Permission::Read)?;
    let t = actor.scope.get::<template::Entity>(db, template_id).await?.ok_or(AppError::NotFound("テンプレート"))?;
    let i = actor.scope.get::<inquiry::Entity>(db, inquiry_id).await?.ok_or(AppError::NotFound("お問い合わせ"))?;
    let s = actor.scope.get::<shop::Entity>(db, i.shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    Ok(shared::template::render_text(&t.body, &profile_of(&s)))
}
