//! The table of shops: モール, names, 受注を取得する日数, 自動取得 / 自動書き出し, whether the
//! API情報 is set, 編集, and 接続テスト.

use leptos::prelude::*;
use shared::ops::ShopWithSettings;

use super::connection::ConnectionTestButton;
use crate::components::badges::MarketplaceBadge;
use crate::format;

/// 設定済み / 未設定.
pub(super) fn set_or_not(set: bool) -> AnyView {
    if set {
        view! { <span class="set">"設定済み"</span> }.into_any()
    } else {
        view! { <span class="muted">"未設定"</span> }.into_any()
    }
}

/// The licence key's expiry: a warning from 14 days ahead (`shared::credentials::expiry_warning`).
fn key_expiry(at: shared::ops::Timestamp) -> AnyView {
    let day = at.format("%Y/%m/%d").to_string();
    let now = format::now_jst().with_timezone(&chrono::Utc);
    match shared::credentials::expiry_warning(at.with_timezone(&chrono::Utc), now) {
        Some(left) if left < 0 => view! {
            <p class="expiry-warning" role="alert">{format!("ライセンスキーの有効期限が切れています（{day}）。再発行して保存してください。")}</p>
        }
        .into_any(),
        Some(left) => view! {
            <p class="expiry-warning" role="alert">{format!("ライセンスキーの有効期限: {day}（あと{left}日）")}</p>
        }
        .into_any(),
        None => view! { <p class="muted small-note">{format!("有効期限: {day}")}</p> }.into_any(),
    }
}

#[component]
pub(super) fn ShopTable(list: Vec<ShopWithSettings>, on_edit: Callback<ShopWithSettings>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"店舗はまだありません。「店舗を追加」から登録できます。"</p> }.into_any();
    }
    let on_off = |b: bool| if b { "ON" } else { "OFF" };
    let rows = list
        .into_iter()
        .map(|shop| {
            let s = shop.settings.clone();
            let edit = shop.clone();
            view! {
                <tr data-shop-id=shop.id.to_string()>
                    <td>
                        <MarketplaceBadge marketplace=shop.marketplace/>
                    </td>
                    <td>{shop.name.clone()}</td>
                    <td>{shop.profile.mall_shop_name.clone()}</td>
                    <td class="num import-days">{format!("{}日", s.import_days)}</td>
                    <td>{on_off(s.auto_import)}</td>
                    <td>{on_off(s.auto_export)}</td>
                    <td>
                        {set_or_not(s.credentials_set)}
                        {match shop.credentials_expire_at {
                            Some(at) => Some(key_expiry(at)),
                            // A key saved before its date was recorded: staff enter it in 編集.
                            None if s.credentials_set
                                && shared::credentials::expiring_key(shop.marketplace).is_some() => {
                                Some(view! {
                                    <p class="muted small-note">"有効期限: 未登録（「編集」で入力できます）"</p>
                                }.into_any())
                            }
                            None => None,
                        }}
                    </td>
                    <td class="num">
                        <button class="small" on:click=move |_| on_edit.run(edit.clone())>
                            "編集"
                        </button>
                    </td>
                    <td class="connection">
                        {shared::Marketplace::capabilities(shop.marketplace)
                            .api_connector
                            .then(|| view! { <ConnectionTestButton shop_id=shop.id.to_string()/> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="grid shops">
                <thead>
                    <tr>
                        <th>"モール"</th>
                        <th>"店舗名"</th>
                        <th>"出店モール店舗名"</th>
                        <th class="num">"受注を取得する日数"</th>
                        <th>"自動取得"</th>
                        <th>"自動書き出し"</th>
                        <th>"API情報"</th>
                        <th></th>
                        <th>"接続"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
