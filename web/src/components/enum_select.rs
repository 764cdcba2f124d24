//! `<select>` over one of the contract's enums (モール, ステータス, 権限, 文字コード, …): one
//! option per value with its Japanese label, and optionally a first, empty option meaning "any".

use leptos::prelude::*;
use shared::{CsvEncoding, InquirySort, InquiryStatus, Marketplace, OrderStatus, Role, SyncKind, SyncState};

/// An enum a select offers: its values, their stable codes (the option values) and labels.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

macro_rules! choices {
    ($($t:ty),+ $(,)?) => {
        $(impl Choice for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn label(self) -> &'static str {
                self.label_ja()
            }
            fn from_code(code: &str) -> Option<Self> {
                <$t>::parse(code)
            }
        })+
    };
}

choices!(Marketplace, InquiryStatus, InquirySort, OrderStatus, Role, CsvEncoding, SyncKind, SyncState);

/// A select of `T`'s values (or of `only`, when given). `any` adds a first option with the
/// empty value, read as `None`.
#[component]
pub fn EnumSelect<T: Choice>(
    /// The current value; `None` selects the `any` option.
    #[prop(into)]
    value: Signal<Option<T>>,
    /// Called with the value chosen.
    on_change: Callback<Option<T>>,
    #[prop(optional)] name: Option<&'static str>,
    /// The accessible name, when no `<label>` surrounds the select.
    #[prop(optional)]
    aria_label: Option<&'static str>,
    /// The label of a first, empty option (e.g. "すべてのモール").
    #[prop(optional)]
    any: Option<&'static str>,
    /// The values offered, when not all of `T::ALL`.
    #[prop(optional)]
    only: Option<&'static [T]>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let options = only
        .unwrap_or(T::ALL)
        .iter()
        .map(|c| {
            let c = *c;
            view! {
                <option value=c.code() selected=move || value.get() == Some(c)>
                    {c.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <select
            name=name
            aria-label=aria_label
            disabled=move || disabled.get()
            prop:value=move || value.get().map(Choice::code).unwrap_or_default()
            on:change=move |ev| on_change.run(T::from_code(&event_target_value(&ev)))
        >
            {any.map(|label| view! { <option value="">{label}</option> })}
            {options}
        </select>
    }
}
