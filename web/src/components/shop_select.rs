//! `<select>` of the tenant's shops: 「店舗名（モール）」 per shop, optionally after a first,
//! empty option meaning "every shop".

use leptos::prelude::*;
use shared::ops::ShopRef;

#[component]
pub fn ShopSelect(
    /// The shops offered, in their order.
    #[prop(into)]
    shops: Signal<Vec<ShopRef>>,
    /// The chosen shop's id (`None`: the `any` option, or no shop).
    #[prop(into)]
    value: Signal<Option<String>>,
    /// Called with the id chosen (`None` for the `any` option).
    on_change: Callback<Option<String>>,
    #[prop(optional)] name: Option<&'static str>,
    /// The accessible name, when no `<label>` surrounds the select.
    #[prop(optional)]
    aria_label: Option<&'static str>,
    /// The label of a first, empty option (e.g. "すべての店舗").
    #[prop(optional)]
    any: Option<&'static str>,
) -> impl IntoView {
    let options = move || {
        shops
            .get()
            .into_iter()
            .map(|s| {
                let selected = value.with(|v| v.as_deref() == Some(s.id.as_str()));
                let label = format!("{}（{}）", s.name, s.marketplace.label_ja());
                view! {
                    <option value=s.id.to_string() selected=selected>
                        {label}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <select
            name=name
            aria-label=aria_label
            on:change=move |ev| {
                let id = event_target_value(&ev);
                on_change.run((!id.is_empty()).then_some(id))
            }
        >
            {any.map(|label| view! { <option value="">{label}</option> })}
            {options}
        </select>
    }
}

/// The part of a shop a select shows.
pub fn shop_ref(id: &str, name: &str, marketplace: shared::Marketplace) -> ShopRef {
    ShopRef { id: id.into(), name: name.to_owned(), marketplace }
}
