//! CSV files and import/export runs.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, FixedOffset};

use super::utc;
use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;
use crate::sync;

#[derive(InputObject)]
pub struct ImportInput {
    pub shop_id: ID,
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(InputObject)]
pub struct ExportInput {
    pub shop_id: ID,
    pub created_from: DateTime<FixedOffset>,
    pub created_to: DateTime<FixedOffset>,
}

#[derive(Default)]
pub struct SyncMutation;

#[Object]
impl SyncMutation {
    /// CSV取込 (custom-CSV shop): upserts the file's orders with the shop's column mapping.
    /// Bad lines are reported with their line numbers while the good orders import.
    async fn import_orders_csv(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::csv::CsvImportInput,
    ) -> Result<crate::graphql::csv::CsvImport> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        let shop_id = parse_id(&input.shop_id, "店舗")?;
        let v =
            input.file.value(ctx).map_err(|e| AppError::validation("file", format!("ファイルを読めません ({e})")))?;
        let mut bytes = Vec::new();
        use std::io::Read;
        v.into_read().read_to_end(&mut bytes).map_err(AppError::internal)?;
        let done = crate::csv_shop::import(state(ctx), a, shop_id, &bytes, input.encoding).await?;
        Ok(crate::graphql::csv::CsvImport {
            run: SyncRun(done.run),
            row_errors: done.row_errors.into_iter().map(Into::into).collect(),
        })
    }

    /// CSV書出: the shop's orders (with shipping data) as a CSV file in its column mapping.
    async fn export_orders_csv(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::csv::CsvExportInput,
    ) -> Result<crate::graphql::csv::CsvFile> {
        let req = crate::csv_shop::CsvExportRequest {
            shop_id: parse_id(&input.shop_id, "店舗")?,
            from: input.from.map(utc),
            to: input.to.map(utc),
            status: input.status,
            encoding: input.encoding.unwrap_or(shared::CsvEncoding::Utf8),
        };
        Ok(crate::csv_shop::export(&state(ctx).db, actor(ctx)?, req).await?.into())
    }

    /// 取込: orders, by the shop's configured days or a range.
    async fn import_orders(&self, ctx: &Context<'_>, input: ImportInput) -> Result<SyncRun> {
        self.start(ctx, input.shop_id, shared::SyncKind::ImportOrders, input.from, input.to).await
    }

    async fn import_inquiries(&self, ctx: &Context<'_>, input: ImportInput) -> Result<SyncRun> {
        self.start(ctx, input.shop_id, shared::SyncKind::ImportInquiries, input.from, input.to).await
    }

    /// 発送情報を更新, for orders created in the period.
    async fn export_shipments(&self, ctx: &Context<'_>, input: ExportInput) -> Result<SyncRun> {
        self.start(
            ctx,
            input.shop_id,
            shared::SyncKind::ExportShipments,
            Some(input.created_from),
            Some(input.created_to),
        )
        .await
    }

    /// ユーザ評価を登録 (Rakuma).
    async fn register_evaluations(&self, ctx: &Context<'_>, input: ExportInput) -> Result<SyncRun> {
        self.start(
            ctx,
            input.shop_id,
            shared::SyncKind::ExportEvaluations,
            Some(input.created_from),
            Some(input.created_to),
        )
        .await
    }
}

impl SyncMutation {
    async fn start(
        &self,
        ctx: &Context<'_>,
        shop_id: ID,
        kind: shared::SyncKind,
        from: Option<DateTime<FixedOffset>>,
        to: Option<DateTime<FixedOffset>>,
    ) -> Result<SyncRun> {
        let run =
            sync::start_manual(state(ctx), actor(ctx)?, parse_id(&shop_id, "店舗")?, kind, from.map(utc), to.map(utc))
                .await?;
        Ok(SyncRun(run))
    }
}
