//! 受注登録: an order entered by hand (telephone, fax, a shop's own sales) — shop, order number
//! (suggested), order time, buyer and recipient (送付先 can copy 注文者), items, payment, delivery
//! request and notes. The stored order opens on its own page; the list shows it on its next
//! reading.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::ops::{CreateOrder, CreateOrderVariables, OrderInput, OrderItemInput, PartyInput, Shops};

use crate::api;
use crate::components::error::FormErrors;
use crate::components::shop_select::{ShopSelect, shop_ref};
use crate::format;
use crate::session::use_session;

/// Payment methods offered as suggestions (any text is accepted).
const PAYMENTS: &[&str] = &["クレジットカード", "銀行振込", "代金引換", "コンビニ決済", "後払い", "請求書払い"];

/// A suggested order number: 受注登録 date and time (Japan time), unique enough for a hand entry
/// and easy to read out on the telephone (`20261202-143005`).
pub fn suggested_order_number(now: chrono::DateTime<chrono::FixedOffset>) -> String {
    now.format("%Y%m%d-%H%M%S").to_string()
}

/// One line as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineText {
    pub name: String,
    pub sku: String,
    pub unit_price: String,
    pub quantity: String,
}

/// The browser's checks before sending, by field (the server checks the same and more).
pub fn check_order_form(
    shop: Option<&str>,
    number: &str,
    recipient_name: &str,
    lines: &[LineText],
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if shop.is_none_or(|s| s.is_empty()) {
        errors.push(("shopId", "店舗を選んでください".to_string()));
    }
    if number.trim().is_empty() || number.trim().chars().count() > 64 {
        errors.push(("orderNumber", "受注番号は1〜64文字で入力してください".to_string()));
    }
    if recipient_name.trim().is_empty() {
        errors.push(("recipient", "送付先の氏名を入力してください".to_string()));
    }
    let filled: Vec<&LineText> = lines.iter().filter(|l| !is_blank(l)).collect();
    if filled.is_empty() {
        errors.push(("items", "購入商品を1つ以上入力してください".to_string()));
    } else if filled.iter().any(|l| parse_line(l).is_none()) {
        errors.push(("items", "商品名・単価(0以上の整数)・数量(1以上の整数)を入力してください".to_string()));
    }
    errors
}

fn is_blank(l: &LineText) -> bool {
    l.name.trim().is_empty()
        && l.sku.trim().is_empty()
        && l.unit_price.trim().is_empty()
        && l.quantity.trim().is_empty()
}

/// A typed line as the API's input, or `None` when it cannot be read.
pub fn parse_line(l: &LineText) -> Option<OrderItemInput> {
    let name = l.name.trim();
    let unit_price: i32 = l.unit_price.trim().replace([',', '，'], "").parse().ok()?;
    let quantity: i32 = l.quantity.trim().parse().ok()?;
    (!name.is_empty() && unit_price >= 0 && quantity >= 1).then(|| OrderItemInput {
        name: name.to_string(),
        sku: Some(l.sku.trim().to_string()).filter(|s| !s.is_empty()),
        unit_price,
        quantity,
    })
}

/// 合計: the lines that can be read.
pub fn lines_total(lines: &[LineText]) -> i64 {
    lines.iter().filter_map(parse_line).map(|i| i64::from(i.unit_price) * i64::from(i.quantity)).sum()
}

fn text(value: &RwSignal<String>) -> Option<String> {
    Some(value.get_untracked().trim().to_string()).filter(|v| !v.is_empty())
}

#[derive(Clone, Copy)]
struct PartyFields {
    name: RwSignal<String>,
    postal_code: RwSignal<String>,
    address: RwSignal<String>,
    phone: RwSignal<String>,
}

impl PartyFields {
    fn new() -> Self {
        PartyFields {
            name: RwSignal::new(String::new()),
            postal_code: RwSignal::new(String::new()),
            address: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
        }
    }

    fn party(self) -> PartyInput {
        PartyInput {
            name: text(&self.name),
            postal_code: text(&self.postal_code),
            address: text(&self.address),
            phone: text(&self.phone),
        }
    }

    fn is_empty(self) -> bool {
        [self.name, self.postal_code, self.address, self.phone].iter().all(|f| f.get_untracked().trim().is_empty())
    }

    fn copy_from(self, other: PartyFields) {
        self.name.set(other.name.get_untracked());
        self.postal_code.set(other.postal_code.get_untracked());
        self.address.set(other.address.get_untracked());
        self.phone.set(other.phone.get_untracked());
    }
}

#[component]
fn PartyInputs(title: &'static str, prefix: &'static str, fields: PartyFields) -> impl IntoView {
    let input = move |label: &'static str, key: &'static str, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <label>
                {label}
                <input
                    name=format!("{prefix}-{key}")
                    autocomplete=autocomplete
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        <fieldset class="party-inputs">
            <legend>{title}</legend>
            <div class="form-row">
                {input("氏名", "name", fields.name, "name")}
                {input("電話番号", "phone", fields.phone, "tel")}
            </div>
            <div class="form-row">
                {input("郵便番号", "postal", fields.postal_code, "postal-code")}
                {input("住所", "address", fields.address, "street-address")}
            </div>
        </fieldset>
    }
}

#[component]
pub fn OrderNewPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let shops = LocalResource::new(|| async { api::gql::<Shops>(()).await.map(|d| d.shops).unwrap_or_default() });
    let shop = RwSignal::new(None::<String>);
    let number = RwSignal::new(suggested_order_number(format::now_jst()));
    let ordered_at = RwSignal::new(format::local_date_time_value(0));
    let buyer = PartyFields::new();
    let recipient = PartyFields::new();
    let lines = RwSignal::new(vec![LineText { quantity: "1".into(), ..LineText::default() }]);
    let payment = RwSignal::new(String::new());
    let delivery = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());

    let saving = Action::new_local(|input: &OrderInput| {
        let input = input.clone();
        async move { api::gql::<CreateOrder>(CreateOrderVariables { input }).await.map(|d| d.create_order) }
    });
    let busy = saving.pending();
    let errors = FormErrors::new(Signal::derive(move || saving.value().get().and_then(Result::err)));
    Effect::new(move |_| {
        if let Some(Ok(order)) = saving.value().get() {
            navigate(&format!("/orders/{}", order.id), Default::default());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = lines.get_untracked();
        let found = check_order_form(
            shop.get_untracked().as_deref(),
            &number.get_untracked(),
            &recipient.name.get_untracked(),
            &typed,
        );
        let when = format::parse_local_date_time(&ordered_at.get_untracked());
        let mut found = found;
        if when.is_none() {
            found.push(("orderedAt", "注文日時を入力してください".to_string()));
        }
        let stop = !found.is_empty();
        errors.client.set(found);
        let (Some(shop_id), Some(when), false) = (shop.get_untracked(), when, stop) else {
            saving.clear();
            return;
        };
        let input = OrderInput {
            shop_id: shop_id.into(),
            order_number: number.get_untracked().trim().to_string(),
            ordered_at: when,
            buyer: (!buyer.is_empty()).then(|| buyer.party()),
            recipient: recipient.party(),
            requested_delivery: text(&delivery),
            items: typed.iter().filter_map(parse_line).collect(),
            payment_method: text(&payment),
            notes: text(&notes),
        };
        saving.clear();
        saving.dispatch(input);
    };

    let line_row = move |index: usize| {
        let field = move |get: fn(&LineText) -> &String, set: fn(&mut LineText, String)| {
            (
                move || lines.with(|ls| ls.get(index).map(|l| get(l).clone()).unwrap_or_default()),
                move |ev: leptos::ev::Event| {
                    let value = event_target_value(&ev);
                    lines.update(|ls| {
                        if let Some(l) = ls.get_mut(index) {
                            set(l, value);
                        }
                    });
                },
            )
        };
        let (name, on_name) = field(|l| &l.name, |l, v| l.name = v);
        let (sku, on_sku) = field(|l| &l.sku, |l, v| l.sku = v);
        let (price, on_price) = field(|l| &l.unit_price, |l, v| l.unit_price = v);
        let (quantity, on_quantity) = field(|l| &l.quantity, |l, v| l.quantity = v);
        view! {
            <tr>
                <td>
                    <input aria-label=format!("商品名 {}", index + 1) prop:value=name on:input=on_name/>
                </td>
                <td>
                    <input aria-label=format!("SKU {}", index + 1) prop:value=sku on:input=on_sku/>
                </td>
                <td>
                    <input
                        aria-label=format!("単価 {}", index + 1)
                        inputmode="numeric"
                        class="num"
                        prop:value=price
                        on:input=on_price
                    />
                </td>
                <td>
                    <input
                        aria-label=format!("数量 {}", index + 1)
                        inputmode="numeric"
                        class="num"
                        prop:value=quantity
                        on:input=on_quantity
                    />
                </td>
                <td>
                    <button
                        type="button"
                        class="link"
                        disabled=move || lines.with(|ls| ls.len() <= 1)
                        on:click=move |_| {
                            lines
                                .update(|ls| {
                                    if ls.len() > 1 && index < ls.len() {
                                        ls.remove(index);
                                    }
                                })
                        }
                    >
                        "削除"
                    </button>
                </td>
            </tr>
        }
    };

    view! {
        <A href="/orders" attr:class="back">
            "← 受注一覧"
        </A>
        <div class="page-head">
            <h1>"受注登録"</h1>
        </div>
        <Show
            when=move || session.can_write()
            fallback=|| view! { <p class="error">"閲覧のみの権限では受注を登録できません。"</p> }
        >
            <form class="card form order-new" on:submit=submit novalidate>
                <div class="form-row">
                    <label>
                        <span class="required">"店舗"</span>
                        <ShopSelect
                            name="shopId"
                            any="店舗を選択"
                            shops=Signal::derive(move || {
                                shops
                                    .get()
                                    .unwrap_or_default()
                                    .iter()
                                    .map(|s| shop_ref(&s.id, &s.name, s.marketplace))
                                    .collect()
                            })
                            value=Signal::derive(move || shop.get())
                            on_change=Callback::new(move |id| shop.set(id))
                        />
                        {errors.field("shopId")}
                    </label>
                    <label>
                        <span class="required">"受注番号"</span>
                        <input
                            name="orderNumber"
                            maxlength="64"
                            prop:value=move || number.get()
                            on:input=move |ev| number.set(event_target_value(&ev))
                        />
                        {errors.field("orderNumber")}
                    </label>
                    <label>
                        <span class="required">"注文日時"</span>
                        <input
                            type="datetime-local"
                            name="orderedAt"
                            prop:value=move || ordered_at.get()
                            on:input=move |ev| ordered_at.set(event_target_value(&ev))
                        />
                        {errors.field("orderedAt")}
                    </label>
                </div>
                <PartyInputs title="注文者" prefix="buyer" fields=buyer/>
                <div class="copy-party">
                    <button type="button" on:click=move |_| recipient.copy_from(buyer)>
                        "注文者の情報を送付先にコピー"
                    </button>
                </div>
                <PartyInputs title="送付先" prefix="recipient" fields=recipient/>
                {errors.field("recipient")}
                <fieldset>
                    <legend>"購入商品"</legend>
                    <table class="grid order-lines">
                        <thead>
                            <tr>
                                <th>"商品名"</th>
                                <th>"SKU"</th>
                                <th class="num">"単価"</th>
                                <th class="num">"数量"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{move || (0..lines.with(Vec::len)).map(line_row).collect_view()}</tbody>
                    </table>
                    <div class="form-row">
                        <button
                            type="button"
                            on:click=move |_| {
                                lines.update(|ls| ls.push(LineText { quantity: "1".into(), ..LineText::default() }))
                            }
                        >
                            "商品を追加"
                        </button>
                        <span class="order-total">
                            {move || format!("合計 {}", format::yen(lines.with(|ls| lines_total(ls))))}
                        </span>
                    </div>
                    {errors.field("items")}
                </fieldset>
                <div class="form-row">
                    <label>
                        "支払方法"
                        <input
                            name="paymentMethod"
                            list="payment-methods"
                            prop:value=move || payment.get()
                            on:input=move |ev| payment.set(event_target_value(&ev))
                        />
                    </label>
                    <datalist id="payment-methods">
                        {PAYMENTS.iter().map(|p| view! { <option value=*p></option> }).collect_view()}
                    </datalist>
                    <label>
                        "お届け指定日時"
                        <input
                            name="requestedDelivery"
                            placeholder="例: 2026/12/05 午前中"
                            prop:value=move || delivery.get()
                            on:input=move |ev| delivery.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                <label>
                    "社内メモ"
                    <textarea
                        name="notes"
                        rows="3"
                        prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))
                    ></textarea>
                </label>
                {errors.general()}
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "登録中…" } else { "登録する" }}
                    </button>
                </div>
            </form>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, price: &str, quantity: &str) -> LineText {
        LineText { name: name.into(), sku: String::new(), unit_price: price.into(), quantity: quantity.into() }
    }

    #[test]
    fn the_suggested_order_number_is_the_time_of_entry() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T14:30:05+09:00").unwrap();
        assert_eq!(suggested_order_number(now), "20261202-143005");
    }

    #[test]
    fn a_form_without_shop_recipient_or_items_is_stopped_before_sending() {
        let errors = check_order_form(None, " ", "", &[LineText::default()]);
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["shopId", "orderNumber", "recipient", "items"]);
    }

    #[test]
    fn lines_are_read_with_thousands_separators_and_blank_lines_are_ignored() {
        let lines = [line("今治タオル", "1,100", "3"), LineText::default()];
        assert!(check_order_form(Some("1"), "A-1", "佐藤", &lines).is_empty());
        assert_eq!(lines_total(&lines), 3300);
    }

    #[test]
    fn a_line_with_no_quantity_or_a_negative_price_is_refused() {
        assert!(parse_line(&line("まな板", "4980", "0")).is_none());
        assert!(parse_line(&line("まな板", "-1", "1")).is_none());
        let errors = check_order_form(Some("1"), "A-1", "佐藤", &[line("まな板", "abc", "1")]);
        assert_eq!(errors.iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["items"]);
    }
}
