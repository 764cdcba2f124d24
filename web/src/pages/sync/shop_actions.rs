//! The manual runs one shop offers: import and export cards by what its marketplace can do,
//! or the CSV cards of a カスタムCSV店舗.

use leptos::prelude::*;
use shared::SyncKind;
use shared::ops::{ShopWithSettings, SyncRun};

use super::export_card::ExportCard;
use super::import_card::ImportCard;
use super::runs::LiveRuns;
use crate::components::badges::MarketplaceBadge;
use crate::components::csv_panel::{CsvExportCard, CsvImportCard};

/// The manual runs a shop's marketplace offers.
#[component]
pub(super) fn ShopActions(
    shop: ShopWithSettings,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
    api_option: bool,
) -> impl IntoView {
    let caps = shop.marketplace.capabilities();
    let days = shop.settings.import_days;
    let csv_shop = !caps.api_connector;
    if csv_shop {
        // No marketplace to call: orders come in as a file and go out as one.
        return view! {
            <div class="shop-line">
                <MarketplaceBadge marketplace=shop.marketplace/>
                <strong>{shop.name.clone()}</strong>
                <span class="muted">"受注はCSVファイルで取り込み・書き出します。"</span>
            </div>
            <div class="sync-actions">
                <CsvImportCard shop_id=shop.id.to_string() can_write on_imported=on_started/>
                <CsvExportCard shop_id=shop.id.to_string()/>
            </div>
        }
        .into_any();
    }
    let nothing =
        !(caps.imports_orders || caps.imports_inquiries || caps.exports_shipments || caps.registers_evaluations);
    view! {
        <div class="shop-line">
            <MarketplaceBadge marketplace=shop.marketplace/>
            <strong>{shop.name.clone()}</strong>
            <span class="muted">{format!("受注を取得する日数: {days}日")}</span>
        </div>
        {nothing.then(|| view! { <p class="muted">"このモールでは手動の取込・書出はありません。"</p> })}
        <div class="sync-actions">
            {caps
                .imports_orders
                .then(|| {
                    view! {
                        <ImportCard
                            kind=SyncKind::ImportOrders
                            shop_id=shop.id.to_string()
                            days
                            runs
                            on_started
                            can_write
                            note=None
                        />
                    }
                })}
            {caps
                .imports_inquiries
                .then(|| {
                    let note = (!api_option)
                        .then_some("お問い合わせの取込は「APIオプション」のご契約が必要となります。");
                    view! {
                        <ImportCard
                            kind=SyncKind::ImportInquiries
                            shop_id=shop.id.to_string()
                            days
                            runs
                            on_started
                            can_write
                            note
                        />
                    }
                })}
            {(caps.exports_shipments || caps.registers_evaluations)
                .then(|| {
                    view! {
                        <ExportCard
                            shop_id=shop.id.to_string()
                            shipments=caps.exports_shipments
                            evaluations=caps.registers_evaluations
                            runs
                            on_started
                            can_write
                        />
                    }
                })}
            <CsvExportCard shop_id=shop.id.to_string()/>
        </div>
    }
    .into_any()
}
