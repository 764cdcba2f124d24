//! The order's editable data: ステータス, 出荷日, 配送業者, 配送方法, お荷物伝票番号, 社内メモ.
//! Only changed fields are sent (a field emptied on purpose is sent as empty text, which clears
//! it); `VALIDATION` errors appear next to their field. 配送業者 is chosen from the carriers the
//! order's marketplace accepts and 配送方法 from the methods the export rules know
//! (`shared::carriers`); a stored value outside them stays selected, with a warning.

use leptos::prelude::*;
use shared::OrderStatus;
use shared::ops::{OrderDetail, OrderUpdateInput, UpdateOrder, UpdateOrderVariables};

use crate::api;
use crate::components::enum_select::EnumSelect;
use crate::components::error::FieldError;

/// A `<select>` over `choices` (a first 「未選択」 option clears the value); a current value that is
/// not one of them stays as its own option, marked, and a warning says so.
#[component]
fn ChoiceSelect(
    label: &'static str,
    field: &'static str,
    choices: Vec<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] can_write: Signal<bool>,
    error: Signal<Option<crate::api::ApiError>>,
    /// What the warning says of an unknown value.
    unknown: &'static str,
) -> impl IntoView {
    let offered = choices.clone();
    let is_unknown = move || {
        let v = value.get();
        !v.trim().is_empty() && !offered.iter().any(|c| *c == v.trim())
    };
    let options = move || {
        let current = value.get();
        let mut list: Vec<(String, String)> = Vec::new();
        if !current.trim().is_empty() && !choices.iter().any(|c| *c == current.trim()) {
            list.push((current.clone(), format!("{current}(登録外の値)")));
        }
        list.extend(choices.iter().map(|c| (c.to_string(), c.to_string())));
        list.into_iter()
            .map(|(v, text)| {
                let selected = v == current;
                view! {
                    <option value=v selected=selected>
                        {text}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <label>
            {label}
            <select
                name=field
                on:change=move |ev| value.set(event_target_value(&ev))
                disabled=move || !can_write.get()
            >
                <option value="" selected=move || value.with(|v| v.trim().is_empty())>
                    "未選択"
                </option>
                {options}
            </select>
            <Show when=is_unknown.clone()>
                <p class="field-warning" role="status">
                    {move || format!("「{}」は{}", value.get().trim(), unknown)}
                </p>
            </Show>
            <FieldError error field/>
        </label>
    }
}

#[component]
pub fn ShippingForm(
    order: OrderDetail,
    /// With the order as the server stored it.
    on_saved: Callback<OrderDetail>,
    #[prop(into)] can_write: Signal<bool>,
) -> impl IntoView {
    let original = RwSignal::new(order.clone());
    let status = RwSignal::new(order.status);
    let ship_date = RwSignal::new(order.ship_date.clone().unwrap_or_default());
    let carrier = RwSignal::new(order.carrier.clone().unwrap_or_default());
    let method = RwSignal::new(order.delivery_method.clone().unwrap_or_default());
    let tracking = RwSignal::new(order.tracking_number.clone().unwrap_or_default());
    let notes = RwSignal::new(order.notes.clone().unwrap_or_default());
    let saving = Action::new_local(|vars: &UpdateOrderVariables| {
        let vars = vars.clone();
        async move { api::gql::<UpdateOrder>(vars).await.map(|d| d.update_order) }
    });
    let busy = saving.pending();
    let error = Signal::derive(move || saving.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(saving.value().get(), Some(Ok(_))));
    let id = order.id.clone();

    let input = move || {
        let o = original.get();
        let changed = |now: String, before: &Option<String>| {
            let now = now.trim().to_string();
            (now != before.clone().unwrap_or_default()).then_some(now)
        };
        OrderUpdateInput {
            status: (status.get() != o.status).then_some(status.get()),
            ship_date: changed(ship_date.get(), &o.ship_date),
            carrier: changed(carrier.get(), &o.carrier),
            delivery_method: changed(method.get(), &o.delivery_method),
            tracking_number: changed(tracking.get(), &o.tracking_number),
            notes: changed(notes.get(), &o.notes),
        }
    };
    let unchanged = Memo::new(move |_| input() == OrderUpdateInput::default());

    // The stored order comes back: the form shows what was stored.
    Effect::new(move |_| {
        if let Some(Ok(stored)) = saving.value().get() {
            ship_date.set(stored.ship_date.clone().unwrap_or_default());
            carrier.set(stored.carrier.clone().unwrap_or_default());
            method.set(stored.delivery_method.clone().unwrap_or_default());
            tracking.set(stored.tracking_number.clone().unwrap_or_default());
            notes.set(stored.notes.clone().unwrap_or_default());
            status.set(stored.status);
            original.set(stored.clone());
            on_saved.run(stored);
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || unchanged.get_untracked() {
            return;
        }
        let vars = UpdateOrderVariables { id: id.clone(), input: untrack(input) };
        saving.clear();
        saving.dispatch(vars);
    };

    let text_input =
        move |label: &'static str, field: &'static str, value: RwSignal<String>, list: Option<&'static str>| {
            view! {
                <label>
                    {label}
                    <input
                        list=list
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                        disabled=move || !can_write.get()
                    />
                    <FieldError error field/>
                </label>
            }
        };
    let carriers = shared::carriers::accepted(order.shop.marketplace);

    view! {
        <form class="card form" on:submit=save>
            <h2>"発送情報"</h2>
            <div class="form-row">
                <label>
                    "ステータス"
                    <EnumSelect
                        value=Signal::derive(move || Some(status.get()))
                        on_change=Callback::new(move |s: Option<OrderStatus>| {
                            if let Some(s) = s {
                                status.set(s);
                            }
                        })
                        disabled=Signal::derive(move || !can_write.get())
                    />
                    <FieldError error field="status"/>
                </label>
                <label>
                    "出荷日"
                    <input
                        type="date"
                        prop:value=move || ship_date.get()
                        on:input=move |ev| ship_date.set(event_target_value(&ev))
                        disabled=move || !can_write.get()
                    />
                    <FieldError error field="shipDate"/>
                </label>
            </div>
            <div class="form-row">
                {match carriers {
                    Some(list) => {
                        view! {
                            <ChoiceSelect
                                label="配送業者"
                                field="carrier"
                                choices=list.iter().map(|c| c.name).collect()
                                value=carrier
                                can_write
                                error
                                unknown="このモールが受け付ける配送業者ではありません。書出では「その他」として送られます。"
                            />
                        }
                            .into_any()
                    }
                    None => text_input("配送業者", "carrier", carrier, None).into_any(),
                }}
                <ChoiceSelect
                    label="配送方法"
                    field="deliveryMethod"
                    choices=shared::carriers::DELIVERY_METHODS.to_vec()
                    value=method
                    can_write
                    error
                    unknown="登録されている配送方法ではありません。書出の条件(伝票番号が不要な組み合わせ)に当たりません。"
                />
                {text_input("お荷物伝票番号", "trackingNumber", tracking, None)}
            </div>
            <label>
                "社内メモ"
                <textarea
                    rows="3"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))
                    disabled=move || !can_write.get()
                ></textarea>
                <FieldError error field="notes"/>
            </label>
            {move || {
                error
                    .get()
                    .filter(|e| !e.has_field_errors())
                    .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
            }}
            <Show when=move || saved.get() && unchanged.get()>
                <p class="success">
                    {move || {
                        // Saving 出荷済み says what happens next (the export's own check).
                        let goes_out = original
                            .with(|o| o.status == shared::OrderStatus::Shipped && o.shipment_export.eligible);
                        if goes_out { "保存しました。次回の発送情報の書出でモールに送られます。" } else { "保存しました。" }
                    }}
                </p>
            </Show>
            <Show when=move || can_write.get()>
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || busy.get() || unchanged.get()>
                        {move || if busy.get() { "保存中…" } else { "保存" }}
                    </button>
                </div>
            </Show>
        </form>
    }
}
