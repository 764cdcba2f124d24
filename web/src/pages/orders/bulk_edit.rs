//! 一括変更: the bar above 受注一覧 while orders are selected. It sets ステータス, 出荷日 and
//! 配送業者 on all of them at once (`updateOrders`, all or none); 配送業者 offers only what every
//! selected order's marketplace accepts (`shared::carriers::accepted_by_all`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::ops::{OrderUpdateInput, UpdateOrders, UpdateOrdersVariables};
use shared::{Marketplace, OrderStatus};

use crate::api;
use crate::components::enum_select::EnumSelect;
use crate::components::error::{ErrorLine, FieldError};

/// The orders selected in the list: id → its marketplace.
pub type Selection = RwSignal<BTreeMap<String, Marketplace>>;

#[component]
pub fn BulkEdit(selection: Selection) -> impl IntoView {
    let status = RwSignal::new(None::<OrderStatus>);
    let ship_date = RwSignal::new(String::new());
    let carrier = RwSignal::new(String::new());
    let done = RwSignal::new(None::<usize>);
    let applying = Action::new_local(|vars: &UpdateOrdersVariables| {
        let vars = vars.clone();
        async move { api::gql::<UpdateOrders>(vars).await.map(|d| d.update_orders.len()) }
    });
    let busy = applying.pending();
    let error = Signal::derive(move || applying.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(n)) = applying.value().get() {
            done.set(Some(n));
            selection.set(BTreeMap::new());
            status.set(None);
            ship_date.set(String::new());
            carrier.set(String::new());
        }
    });

    let count = move || selection.with(|s| s.len());
    let carriers = Memo::new(move |_| {
        let marketplaces: Vec<Marketplace> = selection.with(|s| s.values().copied().collect());
        shared::carriers::accepted_by_all(&marketplaces)
    });
    let nothing_chosen =
        move || status.get().is_none() && ship_date.with(|d| d.is_empty()) && carrier.with(|c| c.trim().is_empty());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = OrderUpdateInput {
            status: status.get_untracked(),
            ship_date: Some(ship_date.get_untracked()).filter(|d| !d.is_empty()),
            carrier: Some(carrier.get_untracked()).filter(|c| !c.trim().is_empty()),
            ..Default::default()
        };
        done.set(None);
        applying.dispatch(UpdateOrdersVariables {
            ids: selection.with_untracked(|s| s.keys().map(Into::into).collect()),
            input,
        });
    };

    view! {
        <Show when=move || { count() > 0 || done.get().is_some() }>
            <form class="card bulk-edit" on:submit=apply aria-label="一括変更">
                <Show
                    when=move || { count() > 0 }
                    fallback=move || {
                        view! {
                            <p class="success" role="status">
                                {move || format!("{}件の受注を変更しました。", done.get().unwrap_or(0))}
                            </p>
                        }
                    }
                >
                    <strong class="selected-count">{move || format!("{}件を選択中", count())}</strong>
                    <label>
                        "ステータス "
                        <EnumSelect
                            name="bulk-status"
                            any="変更しない"
                            value=status
                            on_change=Callback::new(move |s| status.set(s))
                        />
                        <FieldError error field="status"/>
                    </label>
                    <label>
                        "出荷日 "
                        <input
                            type="date"
                            name="bulk-shipDate"
                            prop:value=move || ship_date.get()
                            on:input=move |ev| ship_date.set(event_target_value(&ev))
                        />
                        <FieldError error field="shipDate"/>
                    </label>
                    {move || match carriers.get() {
                        Some(list) if list.is_empty() => {
                            view! {
                                <span class="muted">
                                    "配送業者: 選択した受注のモールに共通の配送業者がありません。"
                                </span>
                            }
                                .into_any()
                        }
                        Some(list) => {
                            view! {
                                <label>
                                    "配送業者 "
                                    <select
                                        name="bulk-carrier"
                                        prop:value=move || carrier.get()
                                        on:change=move |ev| carrier.set(event_target_value(&ev))
                                    >
                                        <option value="">"変更しない"</option>
                                        {list
                                            .into_iter()
                                            .map(|name| view! { <option value=name>{name}</option> })
                                            .collect_view()}
                                    </select>
                                    <FieldError error field="carrier"/>
                                </label>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <label>
                                    "配送業者 "
                                    <input
                                        name="bulk-carrier"
                                        prop:value=move || carrier.get()
                                        on:input=move |ev| carrier.set(event_target_value(&ev))
                                    />
                                    <FieldError error field="carrier"/>
                                </label>
                            }
                                .into_any()
                        }
                    }}
                    <button type="submit" class="primary" disabled=move || busy.get() || nothing_chosen()>
                        {move || if busy.get() { "変更中…" } else { "選択した受注に適用" }}
                    </button>
                    <button type="button" on:click=move |_| selection.set(BTreeMap::new())>
                        "選択を解除"
                    </button>
                    <ErrorLine error=Signal::derive(move || error.get().filter(|e| !e.has_field_errors()))/>
                </Show>
            </form>
        </Show>
    }
}
