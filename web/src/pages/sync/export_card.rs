//! データ書出 of one shop: 発送情報を更新 and ユーザ評価を登録 for a 作成期間.

use leptos::prelude::*;
use shared::SyncKind;
use shared::ops::{ExportInput, SyncRun};

use super::run_status::RunStatus;
use super::runs::{LiveRuns, RunRequest, Starter};
use crate::format;

/// データ書出: 発送情報を更新 and ユーザ評価を登録 for a 作成期間.
#[component]
pub(super) fn ExportCard(
    shop_id: String,
    shipments: bool,
    evaluations: bool,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
) -> impl IntoView {
    let starter = Starter::new(on_started);
    let range_error = RwSignal::new(None::<String>);
    let from = RwSignal::new(format::day_value(30));
    let to = RwSignal::new(format::day_value(0));
    let running = starter.running(runs);
    let run = move |kind: SyncKind| {
        let (f, t) = (format::parse_day(&from.get_untracked(), false), format::parse_day(&to.get_untracked(), true));
        match (f, t) {
            (Some(f), Some(t)) if f <= t => {
                range_error.set(None);
                let input = ExportInput { shop_id: shop_id.clone().into(), created_from: f, created_to: t };
                starter.run(RunRequest::Export(kind, input));
            }
            (Some(_), Some(_)) => range_error.set(Some("作成期間の開始が終了より後になっています。".into())),
            _ => range_error.set(Some("作成期間の開始と終了を入力してください。".into())),
        }
    };
    let run_shipments = {
        let run = run.clone();
        move |_| run(SyncKind::ExportShipments)
    };
    let run_evaluations = move |_| run(SyncKind::ExportEvaluations);
    view! {
        <section class="card sync-card" data-kind="EXPORT">
            <h2>"データ書出"</h2>
            <p class="editor-help">
                "作成期間内の「新規受付」「保留」「キャンセル」以外で、出荷日（当日以前）とお荷物伝票番号が入力済みの受注の発送情報を更新します。"
            </p>
            <div class="form-row">
                <label>
                    "作成期間（開始）"
                    <input
                        type="date"
                        name="createdFrom"
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "作成期間（終了）"
                    <input
                        type="date"
                        name="createdTo"
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev))
                    />
                </label>
            </div>
            {move || range_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <div class="form-actions start">
                {shipments
                    .then(|| {
                        view! {
                            <button class="primary" on:click=run_shipments.clone() disabled=move || !can_write || running()>
                                "発送情報を更新"
                            </button>
                        }
                    })}
                {evaluations
                    .then(|| {
                        view! {
                            <button on:click=run_evaluations.clone() disabled=move || !can_write || running()>
                                "ユーザ評価を登録"
                            </button>
                        }
                    })}
            </div>
            {evaluations
                .then(|| {
                    view! {
                        <p class="muted small-note">
                            "購入者が受取評価を行った後、[ユーザ評価を登録]をクリックすると、購入者への評価が行われます。"
                        </p>
                    }
                })}
            <RunStatus starter runs/>
        </section>
    }
}
