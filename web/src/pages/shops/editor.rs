//! Create or edit one shop: 店舗情報, 外部システム連携設定 and API情報 in one form.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::Marketplace;
use shared::ops::{
    CreateShop, CreateShopVariables, ShopInput, ShopProfileInput, ShopSettingsInput, ShopWithSettings, UpdateShop,
    UpdateShopVariables,
};

use super::MAX_IMPORT_DAYS;
use super::credentials::CredentialInputs;
use super::list::set_or_not;
use crate::api;
use crate::components::enum_select::EnumSelect;
use crate::components::error::FormErrors;
use crate::session::use_session;

/// Saves a shop: updates the one with the id, or creates one.
fn save_action() -> Action<(Option<String>, ShopInput), Result<ShopWithSettings, api::ApiError>> {
    Action::new_local(|(id, input): &(Option<String>, ShopInput)| {
        let (id, input) = (id.clone(), input.clone());
        async move {
            match id {
                Some(id) => {
                    api::gql::<UpdateShop>(UpdateShopVariables { id: id.into(), input }).await.map(|d| d.update_shop)
                }
                None => api::gql::<CreateShop>(CreateShopVariables { input }).await.map(|d| d.create_shop),
            }
        }
    })
}

#[component]
pub(super) fn ShopEditor(
    /// The shop to edit; `None` creates a new one.
    shop: Option<ShopWithSettings>,
    on_saved: Callback<ShopWithSettings>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api_option = use_session().viewer().is_none_or(|v| v.api_option);
    let editing_id = shop.as_ref().map(|s| s.id.clone());
    let shop_for_push = shop.clone();
    let link_shop_id = shop.as_ref().map(|s| s.id.to_string()).unwrap_or_default();
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
    // 自動取得の間隔 in minutes; sent only when changed (else the marketplace's default stays).
    let stored_interval = (settings.auto_interval_seconds.max(60) / 60).to_string();
    let interval_minutes = RwSignal::new(stored_interval.clone());
    let review_message = RwSignal::new(settings.review_message.unwrap_or_default());
    let registered_email = RwSignal::new(settings.registered_email.unwrap_or_default());
    let credentials = RwSignal::new(BTreeMap::<String, String>::new());
    // ライセンスキーの有効期限 as a date (Japan time); sent only when staff change it.
    let stored_expiry = shop
        .as_ref()
        .and_then(|s| s.credentials_expire_at)
        .map(|at| at.with_timezone(&crate::format::jst()).format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let key_expiry = RwSignal::new(stored_expiry.clone());

    let saving = save_action();
    let busy = saving.pending();
    let errors = FormErrors::new(Signal::derive(move || saving.value().get().and_then(Result::err)));
    Effect::new(move |_| {
        if let Some(Ok(shop)) = saving.value().get() {
            credentials.set(BTreeMap::new());
            on_saved.run(shop);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saving.clear();
        let m = marketplace.get_untracked();
        let mut client = Vec::new();
        let days = match import_days.get_untracked().trim().parse::<i32>() {
            Ok(d) if (1..=MAX_IMPORT_DAYS).contains(&d) => Some(d),
            _ => {
                client.push(("importDays", format!("受注を取得する日数は1〜{MAX_IMPORT_DAYS}日で指定してください")));
                None
            }
        };
        let expiry = key_expiry.get_untracked();
        let expire_at = if expiry.trim() == stored_expiry || expiry.trim().is_empty() {
            None
        } else {
            match crate::format::parse_day(&expiry, false) {
                Some(at) => Some(at),
                None => {
                    client.push(("credentialsExpireAt", "有効期限の日付を正しく入力してください".to_string()));
                    None
                }
            }
        };
        let interval = interval_minutes.get_untracked();
        let auto_interval_seconds = if interval.trim() == stored_interval {
            None
        } else {
            match interval.trim().parse::<i32>() {
                Ok(m) if (1..=1440).contains(&m) => Some(m * 60),
                _ => {
                    client.push(("autoIntervalSeconds", "自動取得の間隔は1〜1440分で指定してください".to_string()));
                    None
                }
            }
        };
        let creds = match credentials.with_untracked(|c| shared::credentials::to_send(m, c)) {
            Ok(c) => c,
            Err(message) => {
                client.push(("credentials", message));
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
                client.push((field, format!("{label}を入力してください")));
            }
        }
        if !client.is_empty() {
            errors.client.set(client);
            return;
        }
        errors.client.set(Vec::new());
        let rakuma = m == Marketplace::Rakuma;
        let input = ShopInput {
            marketplace: m,
            name: name.get_untracked().trim().to_string(),
            profile: ShopProfileInput {
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
                csv_mapping: None,
                credentials_expire_at: expire_at.filter(|_| shared::credentials::expiring_key(m).is_some()),
                auto_interval_seconds,
            }),
        };
        saving.dispatch((editing_id.clone().map(Into::into), input));
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
                {errors.field(field)}
            </label>
        }
    };

    let on_marketplace = Callback::new(move |m: Option<Marketplace>| {
        if let Some(m) = m {
            marketplace.set(m);
            credentials.set(BTreeMap::new());
        }
    });

    view! {
        <form class="card editor-card form shop-editor" on:submit=submit novalidate>
            <h2>{if is_new { "店舗の追加" } else { "店舗設定の編集" }}</h2>
            <div class="shop-form">
                <fieldset class="form">
                    <legend>"店舗情報"</legend>
                    <label>
                        <span class="required">"モール"</span>
                        <EnumSelect
                            name="marketplace"
                            value=Signal::derive(move || Some(marketplace.get()))
                            on_change=on_marketplace
                            disabled=!is_new
                        />
                        {(!is_new).then(|| view! { <span class="muted small-note">"登録後はモールを変更できません。"</span> })}
                        {errors.field("marketplace")}
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
                        {errors.field("importDays")}
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
                    <label>
                        "自動取得・自動書き出しの間隔"
                        <span class="inline">
                            <input
                                type="number"
                                name="autoIntervalMinutes"
                                min="1"
                                max="1440"
                                class="narrow"
                                prop:value=move || interval_minutes.get()
                                on:input=move |ev| interval_minutes.set(event_target_value(&ev))
                            />
                            "分ごと"
                        </span>
                        <span class="muted small-note">
                            "初期値はモールのAPI利用制限に合わせた間隔です（Amazonは10分、その他は5分）。"
                        </span>
                        {errors.field("autoIntervalSeconds")}
                    </label>
                    {(!api_option)
                        .then(|| {
                            view! {
                                <p class="notice">"自動書き出しには「APIオプション」のご契約が必要となります。"</p>
                            }
                        })}
                    {(!is_new && marketplace.get_untracked() == Marketplace::Rakuten)
                        .then(|| view! { <super::connection::RakutenPush shop=shop_for_push.clone()/> })}
                    {(!is_new && marketplace.get_untracked() == Marketplace::Yahoo)
                        .then(|| view! { <super::connection::YahooLink shop_id=link_shop_id.clone()/> })}
                    <Show when=move || marketplace.get() == Marketplace::Rakuma>
                        <p class="notice rakuma-account">
                            "※現在、窓口はラクマの【1点ものアカウント】のみに対応しております。縦づみアカウントの店舗は登録できません。"
                        </p>
                        <label>
                            "ラクマに登録しているメールアドレス"
                            <input
                                type="email"
                                name="registeredEmail"
                                prop:value=move || registered_email.get()
                                on:input=move |ev| registered_email.set(event_target_value(&ev))
                            />
                            {errors.field("registeredEmail")}
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
                            {errors.field("reviewMessage")}
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
                        {errors.field("apiBaseUrl")}
                    </label>
                </fieldset>
                <fieldset class="form credentials">
                    <legend>"API情報 " {set_or_not(credentials_set)}</legend>
                    <p class="editor-help">
                        "モールより発行されたAPI情報を入力します。保存した値は表示されません。"
                        {credentials_set
                            .then_some(
                                "変更しない場合は空欄のままにしてください。変更する場合は、必須項目をすべて入力し直してください。",
                            )}
                    </p>
                    <CredentialInputs marketplace typed=credentials credentials_set is_new/>
                    {errors.field("credentials")}
                    <Show when=move || shared::credentials::expiring_key(marketplace.get()).is_some()>
                        <label>
                            "ライセンスキーの有効期限"
                            <input
                                type="date"
                                name="credentialsExpireAt"
                                class="narrow"
                                prop:value=move || key_expiry.get()
                                on:input=move |ev| key_expiry.set(event_target_value(&ev))
                            />
                            <span class="muted small-note">
                                "キーを保存した日から90日後として表示します。モールの管理画面（楽天: RMSの[店舗向け情報・サービス] > [WEB APIサービス]）で確認した有効期限と異なる場合は、その日付を入力してください。"
                            </span>
                            {errors.field("credentialsExpireAt")}
                        </label>
                    </Show>
                </fieldset>
            </div>
            {errors.general()}
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
