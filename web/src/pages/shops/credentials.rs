//! API情報: one input per key of the marketplace (`shared::credentials`), empty at first
//! (saved values are never shown back).

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::Marketplace;

/// The inputs of the chosen marketplace's keys, writing what staff type into `typed`.
#[component]
pub(super) fn CredentialInputs(
    #[prop(into)] marketplace: Signal<Marketplace>,
    typed: RwSignal<BTreeMap<String, String>>,
    /// Whether the shop has credentials already (the inputs then say so).
    credentials_set: bool,
    is_new: bool,
) -> impl IntoView {
    move || {
        let keys = shared::credentials::keys(marketplace.get());
        if keys.is_empty() {
            return view! {
                <p class="muted">"カスタムCSV店舗はAPI情報の設定は不要です。"</p>
                {is_new.then(|| view! { <p class="muted">"CSV列の設定は、店舗を追加した後に「編集」から行えます。"</p> })}
            }
            .into_any();
        }
        keys.iter()
            .map(|k| {
                let key = k.key;
                view! {
                    <label>
                        <span class:required=k.required>{k.label}</span>
                        <input
                            type=if k.secret { "password" } else { "text" }
                            name=format!("credentials.{key}")
                            autocomplete="new-password"
                            placeholder=if credentials_set { "設定済み（変更する場合のみ入力）" } else { "" }
                            prop:value=move || typed.with(|c| c.get(key).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                typed.update(|c| {
                                    c.insert(key.to_string(), value);
                                })
                            }
                        />
                    </label>
                }
            })
            .collect_view()
            .into_any()
    }
}
