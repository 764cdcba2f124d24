//! 店舗設定 (admin): the tenant's shops with their profile (the four merge-field values) and
//! marketplace settings (モール詳細設定): API URL, 受注を取得する日数, 自動取得, 自動書き出し, the
//! Rakuma registered e-mail and 評価メッセージ, and the API情報 (credentials).
//!
//! Credentials are write-only: the screen shows only whether they are set, its inputs start
//! empty, and `credentials` is sent only when staff typed something (the stored ones are then
//! replaced as a whole, so every required key must be typed).
//!
//! A カスタムCSV店舗 also has its CSV列の設定: which header carries which order field, for
//! 受注CSV取込 and 受注CSV書出 (saved on its own, beside the shop's form).

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::csv_orders::REQUIRED;
use shared::ops::{
    CreateShop, CsvColumn, CsvMappingSettingsInput, CsvMappingShopInput, IdInputVariables, InputVariables, NoVariables,
    ShopCsvMapping, ShopInput, ShopProfile, ShopSettingsInput, ShopSettingsList, ShopWithSettings, UpdateShop,
    UpdateShopCsvMapping,
};
use shared::{CsvField, Marketplace};

use crate::api::{self, ApiError};
use crate::components::badges::MarketplaceBadge;
use crate::session::use_session;

/// The most days an import window may span (the server's rule).
const MAX_IMPORT_DAYS: i64 = 730;

/// One credential input of a marketplace (API.md's key table).
pub struct CredentialField {
    pub key: &'static str,
    pub label: &'static str,
    /// Typed into a password input.
    pub secret: bool,
    pub required: bool,
}

const fn field(key: &'static str, label: &'static str, secret: bool, required: bool) -> CredentialField {
    CredentialField { key, label, secret, required }
}

/// The credential keys each marketplace takes.
pub fn credential_fields(m: Marketplace) -> &'static [CredentialField] {
    const RAKUTEN: &[CredentialField] = &[
        field("serviceSecret", "serviceSecret（サービスシークレット）", true, true),
        field("licenseKey", "licenseKey（ライセンスキー）", true, true),
        field("shopId", "shopId（RMS店舗ID・任意）", false, false),
    ];
    const YAHOO: &[CredentialField] = &[
        field("sellerId", "sellerId（ストアアカウント）", false, true),
        field("accessToken", "accessToken（アクセストークン）", true, true),
        field("refreshToken", "refreshToken（リフレッシュトークン・任意）", true, false),
        field("clientId", "clientId（クライアントID・任意）", false, false),
        field("clientSecret", "clientSecret（シークレット・任意）", true, false),
        field("publicKey", "publicKey（公開鍵・任意）", true, false),
        field("publicKeyVersion", "publicKeyVersion（公開鍵バージョン・任意）", false, false),
    ];
    const RAKUMA: &[CredentialField] = &[
        field("email", "email（API用メールアドレス）", false, true),
        field("password", "password（パスワード）", true, true),
        field("clientId", "clientId（クライアントID）", false, true),
        field("clientSecret", "clientSecret（クライアントシークレット）", true, true),
    ];
    const AU_PAY: &[CredentialField] =
        &[field("shopId", "shopId（ショップID）", false, true), field("apiKey", "apiKey（APIキー）", true, true)];
    const AMAZON: &[CredentialField] = &[
        field("sellerId", "sellerId（セラーID）", false, true),
        field("marketplaceId", "marketplaceId（マーケットプレイスID）", false, true),
        field("clientId", "clientId（クライアントID）", false, true),
        field("clientSecret", "clientSecret（クライアントシークレット）", true, true),
        field("refreshToken", "refreshToken（リフレッシュトークン）", true, true),
    ];
    match m {
        Marketplace::Rakuten => RAKUTEN,
        Marketplace::Yahoo => YAHOO,
        Marketplace::Rakuma => RAKUMA,
        Marketplace::AuPay => AU_PAY,
        Marketplace::Amazon => AMAZON,
        Marketplace::CustomCsv => &[],
    }
}

/// The `credentials` object to send: only the keys staff typed; `None` when nothing was typed
/// (the stored credentials stay). An error names the required keys left empty.
pub fn credentials_to_send(
    m: Marketplace,
    typed: &BTreeMap<String, String>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, String> {
    let fields = credential_fields(m);
    let values: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter_map(|f| {
            let v = typed.get(f.key).map(|v| v.trim()).unwrap_or("");
            (!v.is_empty()).then(|| (f.key.to_string(), serde_json::Value::String(v.to_string())))
        })
        .collect();
    if values.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> =
        fields.iter().filter(|f| f.required && !values.contains_key(f.key)).map(|f| f.key).collect();
    if !missing.is_empty() {
        return Err(format!(
            "API情報を変更する場合は、すべての必須項目を入力してください（未入力: {}）",
            missing.join(", ")
        ));
    }
    Ok(Some(values))
}

/// What the editor area shows.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(ShopWithSettings),
}

#[component]
pub fn ShopsPage() -> impl IntoView {
    let session = use_session();
    let is_admin = session.viewer().is_some_and(|v| v.role == shared::Role::Admin);
    if !is_admin {
        return view! {
            <div class="page-head">
                <h1>"店舗設定"</h1>
            </div>
            <p class="notice">"店舗設定は管理者のみ利用できます。"</p>
        }
        .into_any();
    }

    let version = RwSignal::new(0u32);
    let editing = RwSignal::new(Editing::Closed);
    let saved_note = RwSignal::new(None::<String>);
    let shops = LocalResource::new(move || {
        version.track();
        async { api::gql::<ShopSettingsList>(NoVariables {}).await.map(|d| d.shops) }
    });

    let on_saved = Callback::new(move |shop: ShopWithSettings| {
        saved_note.set(Some(format!("店舗「{}」の設定を保存しました。", shop.name)));
        editing.set(Editing::Closed);
        version.update(|v| *v += 1);
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::Closed));

    let rows = move || match shops.get() {
        None => view! { <p class="loading">"読み込み中…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="empty">"店舗はまだありません。「店舗を追加」から登録できます。"</p> }.into_any()
        }
        Some(Ok(list)) => {
            let rows = list
                .into_iter()
                .map(|shop| {
                    let s = shop.settings.clone();
                    let on_off = |b: bool| if b { "ON" } else { "OFF" };
                    let edit = shop.clone();
                    view! {
                        <tr data-shop-id=shop.id.clone()>
                            <td>
                                <MarketplaceBadge marketplace=shop.marketplace/>
                            </td>
                            <td>{shop.name.clone()}</td>
                            <td>{shop.profile.mall_shop_name.clone()}</td>
                            <td class="num import-days">{format!("{}日", s.import_days)}</td>
                            <td>{on_off(s.auto_import)}</td>
                            <td>{on_off(s.auto_export)}</td>
                            <td>
                                {if s.credentials_set {
                                    view! { <span class="set">"設定済み"</span> }.into_any()
                                } else {
                                    view! { <span class="muted">"未設定"</span> }.into_any()
                                }}
                            </td>
                            <td class="num">
                                <button
                                    class="small"
                                    on:click=move |_| {
                                        saved_note.set(None);
                                        editing.set(Editing::Existing(edit.clone()))
                                    }
                                >
                                    "編集"
                                </button>
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
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                </div>
            }
            .into_any()
        }
    };

    let editor = move || match editing.get() {
        Editing::Closed => ().into_any(),
        Editing::New => view! { <ShopEditor shop=None on_saved on_cancel/> }.into_any(),
        Editing::Existing(shop) if shop.marketplace == Marketplace::CustomCsv => view! {
            <ShopEditor shop=Some(shop.clone()) on_saved on_cancel/>
            <CsvMappingEditor shop/>
        }
        .into_any(),
        Editing::Existing(shop) => view! { <ShopEditor shop=Some(shop) on_saved on_cancel/> }.into_any(),
    };

    view! {
        <div class="page-head">
            <h1>"店舗設定"</h1>
            <button
                class="primary"
                on:click=move |_| {
                    saved_note.set(None);
                    editing.set(Editing::New)
                }
            >
                "店舗を追加"
            </button>
        </div>
        <p class="editor-help">
            "店舗ごとに、テンプレートの差し込みに使う店舗情報と、モールとの連携設定（API情報・受注を取得する日数・自動取得・自動書き出し）を登録します。"
        </p>
        {move || saved_note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        {editor}
        {rows}
    }
    .into_any()
}

/// Create or edit one shop.
#[component]
fn ShopEditor(
    /// The shop to edit; `None` creates a new one.
    shop: Option<ShopWithSettings>,
    on_saved: Callback<ShopWithSettings>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api_option = use_session().viewer().is_none_or(|v| v.api_option);
    let editing_id = shop.as_ref().map(|s| s.id.clone());
    let is_new = editing_id.is_none();
    let settings = shop
        .as_ref()
        .map(|s| s.settings.clone())
        .unwrap_or_else(|| shared::ops::ShopSettings { import_days: 7, ..Default::default() });
    let credentials_set = settings.credentials_set;
    let profile = shop.as_ref().map(|s| s.profile.clone()).unwrap_or_default();

    let marketplace = RwSignal::new(shop.as_ref().map(|s| s.marketplace).unwrap_or(Marketplace::Rakuten));
    let name = RwSignal::new(shop.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let mall_shop_name = RwSignal::new(profile.mall_shop_name);
    let staff_name = RwSignal::new(profile.staff_name);
    let phone = RwSignal::new(profile.phone);
    let email = RwSignal::new(profile.email);
    let api_base_url = RwSignal::new(settings.api_base_url.unwrap_or_default());
    let import_days = RwSignal::new(settings.import_days.to_string());
    let auto_import = RwSignal::new(settings.auto_import);
    let auto_export = RwSignal::new(settings.auto_export);
    let review_message = RwSignal::new(settings.review_message.unwrap_or_default());
    let registered_email = RwSignal::new(settings.registered_email.unwrap_or_default());
    let credentials = RwSignal::new(BTreeMap::<String, String>::new());

    let client_errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let server_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let field_error = move |field: &'static str| {
        move || {
            client_errors
                .with(|errs| errs.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone()))
                .or_else(|| server_error.with(|e| e.as_ref().and_then(|e| e.field_message(field))))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let general_error = move || {
        server_error
            .get()
            .filter(|e| !e.has_field_errors())
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        server_error.set(None);
        let m = marketplace.get_untracked();
        let mut errors = Vec::new();
        let days = match import_days.get_untracked().trim().parse::<i64>() {
            Ok(d) if (1..=MAX_IMPORT_DAYS).contains(&d) => Some(d),
            _ => {
                errors.push(("importDays", format!("受注を取得する日数は1〜{MAX_IMPORT_DAYS}日で指定してください")));
                None
            }
        };
        let creds = match credentials.with_untracked(|c| credentials_to_send(m, c)) {
            Ok(c) => c,
            Err(message) => {
                errors.push(("credentials", message));
                None
            }
        };
        for (field, label, value) in [
            ("name", "店舗名", name.get_untracked()),
            ("mallShopName", "出店モール店舗名", mall_shop_name.get_untracked()),
            ("staffName", "担当者名", staff_name.get_untracked()),
            ("phone", "店舗電話番号", phone.get_untracked()),
            ("email", "店舗メールアドレス", email.get_untracked()),
        ] {
            if value.trim().is_empty() {
                errors.push((field, format!("{label}を入力してください")));
            }
        }
        if !errors.is_empty() {
            client_errors.set(errors);
            return;
        }
        client_errors.set(Vec::new());
        let rakuma = m == Marketplace::Rakuma;
        let input = ShopInput {
            marketplace: m,
            name: name.get_untracked().trim().to_string(),
            profile: ShopProfile {
                mall_shop_name: mall_shop_name.get_untracked().trim().to_string(),
                staff_name: staff_name.get_untracked().trim().to_string(),
                phone: phone.get_untracked().trim().to_string(),
                email: email.get_untracked().trim().to_string(),
            },
            settings: Some(ShopSettingsInput {
                api_base_url: Some(api_base_url.get_untracked().trim().to_string()),
                import_days: days,
                auto_import: Some(auto_import.get_untracked()),
                auto_export: Some(auto_export.get_untracked()),
                review_message: rakuma.then(|| review_message.get_untracked()),
                registered_email: rakuma.then(|| registered_email.get_untracked().trim().to_string()),
                credentials: creds,
            }),
        };
        let id = editing_id.clone();
        busy.set(true);
        spawn_local(async move {
            let saved = match id {
                Some(id) => api::gql::<UpdateShop>(IdInputVariables { id, input }).await.map(|d| d.update_shop),
                None => api::gql::<CreateShop>(InputVariables { input }).await.map(|d| d.create_shop),
            };
            let _ = busy.try_set(false);
            match saved {
                Ok(shop) => {
                    let _ = credentials.try_set(BTreeMap::new());
                    on_saved.run(shop);
                }
                Err(e) => {
                    let _ = server_error.try_set(Some(e));
                }
            }
        });
    };

    let text_input = move |label: &'static str, field: &'static str, signal: RwSignal<String>, kind: &'static str| {
        view! {
            <label>
                <span class="required">{label}</span>
                <input
                    type=kind
                    name=field
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
                {field_error(field)}
            </label>
        }
    };

    let credential_inputs = move || {
        let m = marketplace.get();
        let fields = credential_fields(m);
        if fields.is_empty() {
            return view! {
                <p class="muted">"カスタムCSV店舗はAPI情報の設定は不要です。"</p>
                {is_new.then(|| view! { <p class="muted">"CSV列の設定は、店舗を追加した後に「編集」から行えます。"</p> })}
            }
            .into_any();
        }
        fields
            .iter()
            .map(|f| {
                let key = f.key;
                view! {
                    <label>
                        <span class:required=f.required>{f.label}</span>
                        <input
                            type=if f.secret { "password" } else { "text" }
                            name=format!("credentials.{key}")
                            autocomplete="new-password"
                            placeholder=if credentials_set { "設定済み（変更する場合のみ入力）" } else { "" }
                            prop:value=move || credentials.with(|c| c.get(key).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                credentials.update(|c| {
                                    c.insert(key.to_string(), value);
                                })
                            }
                        />
                    </label>
                }
            })
            .collect_view()
            .into_any()
    };

    let marketplace_options = Marketplace::ALL
        .iter()
        .map(|m| {
            let m = *m;
            view! {
                <option value=m.as_str() selected=move || marketplace.get() == m>
                    {m.label_ja()}
                </option>
            }
        })
        .collect_view();

    view! {
        <form class="card editor-card form shop-editor" on:submit=save novalidate>
            <h2>{if is_new { "店舗の追加" } else { "店舗設定の編集" }}</h2>
            <div class="shop-form">
                <fieldset class="form">
                    <legend>"店舗情報"</legend>
                    <label>
                        <span class="required">"モール"</span>
                        <select
                            name="marketplace"
                            disabled=!is_new
                            on:change=move |ev| {
                                if let Some(m) = Marketplace::parse(&event_target_value(&ev)) {
                                    marketplace.set(m);
                                    credentials.set(BTreeMap::new());
                                }
                            }
                        >
                            {marketplace_options}
                        </select>
                        {(!is_new).then(|| view! { <span class="muted small-note">"登録後はモールを変更できません。"</span> })}
                        {field_error("marketplace")}
                    </label>
                    {text_input("店舗名", "name", name, "text")}
                    <p class="editor-help">
                        "以下の4項目はテンプレートの差し込み（[出店モール店舗名] など）に使われます。"
                    </p>
                    {text_input("出店モール店舗名", "mallShopName", mall_shop_name, "text")}
                    {text_input("担当者名", "staffName", staff_name, "text")}
                    {text_input("店舗電話番号", "phone", phone, "tel")}
                    {text_input("店舗メールアドレス", "email", email, "email")}
                </fieldset>
                <fieldset class="form">
                    <legend>"外部システム連携設定"</legend>
                    <label>
                        <span class="required">"受注を取得する日数"</span>
                        <span class="inline">
                            <input
                                type="number"
                                name="importDays"
                                min="1"
                                max=MAX_IMPORT_DAYS.to_string()
                                class="narrow"
                                prop:value=move || import_days.get()
                                on:input=move |ev| import_days.set(event_target_value(&ev))
                            />
                            "日"
                        </span>
                        <span class="muted small-note">
                            "「モール詳細の取得日数で取得」と自動取得は、この日数の期間内の注文を取得します。"
                        </span>
                        {field_error("importDays")}
                    </label>
                    <label class="check">
                        <input
                            type="checkbox"
                            name="autoImport"
                            prop:checked=move || auto_import.get()
                            on:change=move |ev| auto_import.set(event_target_checked(&ev))
                        />
                        "自動取得（定期的に受注・お問い合わせを取り込む）"
                    </label>
                    <label class="check">
                        <input
                            type="checkbox"
                            name="autoExport"
                            prop:checked=move || auto_export.get()
                            on:change=move |ev| auto_export.set(event_target_checked(&ev))
                        />
                        "自動書き出し（発送情報を自動で更新する）"
                    </label>
                    {(!api_option)
                        .then(|| {
                            view! {
                                <p class="notice">"自動書き出しには「APIオプション」のご契約が必要となります。"</p>
                            }
                        })}
                    <Show when=move || marketplace.get() == Marketplace::Rakuma>
                        <label>
                            "ラクマに登録しているメールアドレス"
                            <input
                                type="email"
                                name="registeredEmail"
                                prop:value=move || registered_email.get()
                                on:input=move |ev| registered_email.set(event_target_value(&ev))
                            />
                            {field_error("registeredEmail")}
                        </label>
                        <label>
                            "評価メッセージ（取引完了時に送るレビューメッセージ）"
                            <textarea
                                rows="4"
                                name="reviewMessage"
                                prop:value=move || review_message.get()
                                on:input=move |ev| review_message.set(event_target_value(&ev))
                            ></textarea>
                            <span class="muted small-note">
                                "発送情報を更新・ユーザ評価を登録の前に設定してください。"
                            </span>
                            {field_error("reviewMessage")}
                        </label>
                    </Show>
                    <label>
                        "API接続先URL（任意）"
                        <input
                            type="url"
                            name="apiBaseUrl"
                            placeholder="空欄の場合はモールの本番環境に接続します"
                            prop:value=move || api_base_url.get()
                            on:input=move |ev| api_base_url.set(event_target_value(&ev))
                        />
                        {field_error("apiBaseUrl")}
                    </label>
                </fieldset>
                <fieldset class="form credentials">
                    <legend>
                        "API情報 "
                        {if credentials_set {
                            view! { <span class="set">"設定済み"</span> }.into_any()
                        } else {
                            view! { <span class="muted">"未設定"</span> }.into_any()
                        }}
                    </legend>
                    <p class="editor-help">
                        "モールより発行されたAPI情報を入力します。保存した値は表示されません。"
                        {credentials_set
                            .then_some(
                                "変更しない場合は空欄のままにしてください。変更する場合は、必須項目をすべて入力し直してください。",
                            )}
                    </p>
                    {credential_inputs}
                    {field_error("credentials")}
                </fieldset>
            </div>
            {general_error}
            <div class="form-actions">
                <button type="button" on:click=move |_| on_cancel.run(())>
                    "キャンセル"
                </button>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "保存中…" } else { "設定を保存" }}
                </button>
            </div>
        </form>
    }
}

/// The mapping to save from the editor's rows (in their order; an empty header = not
/// mapped), or the message for each required field left empty.
pub fn mapping_to_send(
    rows: &[CsvField],
    headers: &BTreeMap<CsvField, String>,
) -> Result<Vec<CsvColumn>, BTreeMap<CsvField, String>> {
    let missing: BTreeMap<CsvField, String> = rows
        .iter()
        .filter(|f| REQUIRED.contains(f) && headers.get(f).is_none_or(|h| h.trim().is_empty()))
        .map(|f| (*f, format!("「{}」は必須です。列名を入力してください", f.label_ja())))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(rows
        .iter()
        .filter_map(|f| {
            let header = headers.get(f).map(|h| h.trim()).unwrap_or("");
            (!header.is_empty()).then(|| CsvColumn { field: *f, header: header.to_string() })
        })
        .collect())
}

/// The editor's rows: the mapped fields in their column order, then the unmapped ones.
fn rows_of(mapping: &[CsvColumn]) -> (Vec<CsvField>, BTreeMap<CsvField, String>) {
    let mut rows: Vec<CsvField> = mapping.iter().map(|c| c.field).collect();
    let mapped: BTreeSet<CsvField> = rows.iter().copied().collect();
    rows.extend(CsvField::ALL.iter().copied().filter(|f| !mapped.contains(f)));
    (rows, mapping.iter().map(|c| (c.field, c.header.clone())).collect())
}

/// CSV列の設定 of a カスタムCSV店舗: one row per order field with the header that carries it.
#[component]
fn CsvMappingEditor(shop: ShopWithSettings) -> impl IntoView {
    let rows = RwSignal::new(Vec::<CsvField>::new());
    let headers = RwSignal::new(BTreeMap::<CsvField, String>::new());
    let loaded = RwSignal::new(false);
    let load_error = RwSignal::new(None::<ApiError>);
    let row_errors = RwSignal::new(BTreeMap::<CsvField, String>::new());
    let server_error = RwSignal::new(None::<ApiError>);
    let saved_note = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);

    let show = move |mapping: &[CsvColumn]| {
        let (order, values) = rows_of(mapping);
        rows.set(order);
        headers.set(values);
        row_errors.set(BTreeMap::new());
        loaded.set(true);
    };
    let shop_id = shop.id.clone();
    let mapping = LocalResource::new(move || {
        let shop_id = shop_id.clone();
        async move {
            api::gql::<ShopCsvMapping>(NoVariables {}).await.map(|d| {
                d.shops.into_iter().find(|s| s.id == shop_id).map(|s| s.settings.csv_mapping).unwrap_or_default()
            })
        }
    });
    Effect::new(move |_| match mapping.get() {
        Some(Ok(m)) if !loaded.get_untracked() => show(&m),
        Some(Err(e)) => load_error.set(Some(e)),
        _ => {}
    });

    let send = move |columns: Vec<CsvColumn>, note: &'static str| {
        let vars = IdInputVariables {
            id: shop.id.clone(),
            input: CsvMappingShopInput {
                marketplace: shop.marketplace,
                name: shop.name.clone(),
                profile: shop.profile.clone(),
                settings: CsvMappingSettingsInput { csv_mapping: columns },
            },
        };
        busy.set(true);
        server_error.set(None);
        saved_note.set(None);
        spawn_local(async move {
            match api::gql::<UpdateShopCsvMapping>(vars).await {
                Ok(d) => {
                    show(&d.update_shop.settings.csv_mapping);
                    let _ = saved_note.try_set(Some(note));
                }
                Err(e) => {
                    let _ = server_error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let save = {
        let send = send.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            saved_note.set(None);
            match headers.with_untracked(|h| rows.with_untracked(|r| mapping_to_send(r, h))) {
                Ok(columns) => {
                    row_errors.set(BTreeMap::new());
                    send(columns, "CSV列の設定を保存しました。");
                }
                Err(missing) => {
                    server_error.set(None);
                    row_errors.set(missing);
                }
            }
        }
    };
    let reset = move |_| {
        if busy.get_untracked() {
            return;
        }
        let sure =
            window().confirm_with_message("CSV列の設定を初期値（項目名どおりの列名）に戻しますか？").unwrap_or(false);
        if sure {
            send(Vec::new(), "CSV列の設定を初期値に戻しました。");
        }
    };

    let table = move || {
        rows.get()
            .into_iter()
            .map(|field| {
                let required = REQUIRED.contains(&field);
                view! {
                    <tr data-field=field.as_str() class:has-error=move || row_errors.with(|e| e.contains_key(&field))>
                        <th scope="row">
                            {field.label_ja()}
                            {required.then(|| view! { <span class="badge-required">"必須"</span> })}
                        </th>
                        <td>
                            <input
                                type="text"
                                name=format!("csvHeader.{}", field.as_str())
                                aria-label=format!("{}の列名", field.label_ja())
                                maxlength="100"
                                placeholder=if required { "列名（必須）" } else { "取り込まない・書き出さない" }
                                prop:value=move || headers.with(|h| h.get(&field).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    headers.update(|h| {
                                        h.insert(field, value);
                                    });
                                }
                            />
                            {move || {
                                row_errors
                                    .with(|e| e.get(&field).cloned())
                                    .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <form class="card editor-card form csv-mapping" on:submit=save novalidate>
            <h2>"CSV列の設定"</h2>
            <p class="editor-help">
                "受注CSV取込で読む列と、受注CSV書出で書く列の見出し（1行目の列名）を項目ごとに指定します。列名が空欄の項目は取り込まず、書き出しません（必須の項目は空欄にできません）。書き出すCSVの列はこの順になります。"
            </p>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || {
                (!loaded.get() && load_error.with(Option::is_none))
                    .then(|| view! { <p class="loading">"読み込み中…"</p> })
            }}
            <Show when=move || loaded.get()>
                <table class="grid csv-mapping-table">
                    <thead>
                        <tr>
                            <th>"項目"</th>
                            <th>"CSVの列名"</th>
                        </tr>
                    </thead>
                    <tbody>{table}</tbody>
                </table>
            </Show>
            <div class="csv-mapping-errors">
                {move || {
                    (!row_errors.with(BTreeMap::is_empty))
                        .then(|| view! { <p class="error" role="alert">"必須の項目の列名を入力してください。"</p> })
                }}
                {move || {
                    server_error
                        .get()
                        .map(|e| {
                            let message = e.field_message("csvMapping").unwrap_or_else(|| e.to_string());
                            view! { <p class="error" role="alert">{message}</p> }
                        })
                }}
                {move || saved_note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
            </div>
            <div class="form-actions">
                <button type="button" class="reset" on:click=reset disabled=move || busy.get() || !loaded.get()>
                    "初期値に戻す"
                </button>
                <button type="submit" class="primary" disabled=move || busy.get() || !loaded.get()>
                    {move || if busy.get() { "保存中…" } else { "保存" }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_mapping_keeps_the_row_order_leaves_out_empty_headers_and_needs_the_required_fields() {
        let saved = vec![
            CsvColumn { field: CsvField::ItemName, header: "品名".into() },
            CsvColumn { field: CsvField::OrderNumber, header: "注文ID".into() },
        ];
        let (rows, mut headers) = rows_of(&saved);
        assert_eq!(rows.len(), CsvField::ALL.len());
        assert_eq!(&rows[..3], &[CsvField::ItemName, CsvField::OrderNumber, CsvField::OrderedAt]);
        let missing = mapping_to_send(&rows, &headers).unwrap_err();
        assert!(missing.contains_key(&CsvField::OrderedAt) && !missing.contains_key(&CsvField::Sku));
        for (f, h) in [
            (CsvField::OrderedAt, " 注文日時 "),
            (CsvField::RecipientName, "お届け先"),
            (CsvField::UnitPrice, "価格"),
            (CsvField::Quantity, "個数"),
            (CsvField::Sku, "  "),
        ] {
            headers.insert(f, h.into());
        }
        let sent = mapping_to_send(&rows, &headers).unwrap();
        let fields: Vec<CsvField> = sent.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                CsvField::ItemName,
                CsvField::OrderNumber,
                CsvField::OrderedAt,
                CsvField::RecipientName,
                CsvField::UnitPrice,
                CsvField::Quantity
            ]
        );
        assert_eq!(sent[2].header, "注文日時", "trimmed");
    }

    #[test]
    fn credentials_are_sent_only_when_typed_and_then_complete() {
        let mut typed = BTreeMap::new();
        assert_eq!(credentials_to_send(Marketplace::Rakuten, &typed), Ok(None));
        typed.insert("serviceSecret".to_string(), "  ".to_string());
        assert_eq!(credentials_to_send(Marketplace::Rakuten, &typed), Ok(None), "blank is not typed");
        typed.insert("serviceSecret".to_string(), "s".to_string());
        assert!(credentials_to_send(Marketplace::Rakuten, &typed).unwrap_err().contains("licenseKey"));
        typed.insert("licenseKey".to_string(), "k".to_string());
        let sent = credentials_to_send(Marketplace::Rakuten, &typed).unwrap().unwrap();
        assert_eq!(serde_json::Value::Object(sent), serde_json::json!({"serviceSecret": "s", "licenseKey": "k"}));
    }
}
