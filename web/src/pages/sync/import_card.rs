//! 受注取込 / お問い合わせ取込 of one shop.

use leptos::prelude::*;
use shared::SyncKind;
use shared::ops::{ImportInput, SyncRun};

use super::run_status::RunStatus;
use super::runs::{LiveRuns, RunRequest, Starter};
use crate::format;

/// 受注取込 / お問い合わせ取込: by the configured days, or for a 取得日時 range.
#[component]
pub(super) fn ImportCard(
    kind: SyncKind,
    shop_id: String,
    days: i32,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
    note: Option<&'static str>,
) -> impl IntoView {
    let starter = Starter::new(on_started);
    let range_error = RwSignal::new(None::<String>);
    let from = RwSignal::new(format::local_date_time_value(24));
    let to = RwSignal::new(format::local_date_time_value(0));
    let running = starter.running(runs);
    let import =
        move |shop_id: String, from, to| RunRequest::Import(kind, ImportInput { shop_id: shop_id.into(), from, to });
    let by_days = {
        let shop_id = shop_id.clone();
        move |_| {
            range_error.set(None);
            starter.run(import(shop_id.clone(), None, None));
        }
    };
    let by_range = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (f, t) =
            (format::parse_local_date_time(&from.get_untracked()), format::parse_local_date_time(&to.get_untracked()));
        match (f, t) {
            (Some(f), Some(t)) if f <= t => {
                range_error.set(None);
                starter.run(import(shop_id.clone(), Some(f), Some(t)));
            }
            (Some(_), Some(_)) => range_error.set(Some("取得日時の開始が終了より後になっています。".into())),
            _ => range_error.set(Some("取得日時の開始と終了を入力してください。".into())),
        }
    };
    let title = match kind {
        SyncKind::ImportOrders => "受注取込",
        _ => "お問い合わせ取込",
    };
    view! {
        <section class="card sync-card" data-kind=kind.as_str()>
            <h2>{title}</h2>
            {note.map(|n| view! { <p class="notice">{n}</p> })}
            <p class="editor-help">{format!("店舗設定の「受注を取得する日数」（{days}日）の期間内を取得します。")}</p>
            <button class="primary by-days" on:click=by_days disabled=move || !can_write || running()>
                "モール詳細の取得日数で取得"
            </button>
            <form class="range" on:submit=by_range>
                <span class="muted">"期間を指定して取得する場合は、取得日時を指定して[取得]ボタンをクリックして下さい。"</span>
                <div class="form-row">
                    <label>
                        "取得日時（開始）"
                        <input
                            type="datetime-local"
                            name="from"
                            prop:value=move || from.get()
                            on:input=move |ev| from.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        "取得日時（終了）"
                        <input
                            type="datetime-local"
                            name="to"
                            prop:value=move || to.get()
                            on:input=move |ev| to.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                {move || range_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <button type="submit" disabled=move || !can_write || running()>
                    "取得"
                </button>
            </form>
            <RunStatus starter runs/>
        </section>
    }
}
