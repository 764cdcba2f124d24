//! 担当者: who an inquiry is assigned to, chosen from the tenant's staff (未割り当て unassigns),
//! and how long a customer has waited (「○時間待ち」).

use leptos::prelude::*;
use shared::ops::{AssignInquiry, AssignInquiryVariables, AssignableStaff, StaffRef, Timestamp};

use crate::api;
use crate::components::error::ErrorLine;

/// The assignee menu of an inquiry; read-only text for those who cannot write.
#[component]
pub fn AssigneeSelect(
    inquiry_id: String,
    assignee: Option<StaffRef>,
    assigned_by: Option<String>,
    #[prop(into)] can_write: Signal<bool>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let staff = LocalResource::new(|| async { api::gql::<AssignableStaff>(()).await.map(|d| d.assignable_staff) });
    let assigning = Action::new_local(|vars: &AssignInquiryVariables| {
        let vars = vars.clone();
        async move { api::gql::<AssignInquiry>(vars).await.map(|_| ()) }
    });
    let busy = assigning.pending();
    let error = Signal::derive(move || assigning.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = assigning.value().get() {
            on_changed.run(());
        }
    });
    let current = assignee.as_ref().map(|a| a.id.clone()).unwrap_or_default();
    let current_name = assignee.as_ref().map(|a| a.name.clone());
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        assigning.clear();
        assigning.dispatch(AssignInquiryVariables {
            id: inquiry_id.clone().into(),
            staff_id: (!value.is_empty()).then(|| value.into()),
        });
    };
    let options = {
        let current = current.clone();
        let current_name = current_name.clone();
        move || {
            let mut list = staff.get().and_then(|r| r.ok()).unwrap_or_default();
            // The assignee stays listed even when no longer assignable (利用停止).
            if let Some(name) = current_name.clone()
                && !current.is_empty()
                && !list.iter().any(|s| s.id == current)
            {
                list.push(StaffRef { id: current.clone(), name });
            }
            list.into_iter()
                .map(|s| {
                    let selected = s.id == current;
                    view! {
                        <option value=s.id.to_string() selected=selected>
                            {s.name}
                        </option>
                    }
                })
                .collect_view()
        }
    };
    let by = assigned_by.filter(|_| assignee.is_some()).map(|b| format!("（設定: {b}）"));
    view! {
        <div class="assignee">
            <Show
                when=move || can_write.get()
                fallback={
                    let name = current_name.clone().unwrap_or_else(|| "未割り当て".into());
                    move || view! { <span class="assignee-name">{format!("担当者: {name}")}</span> }
                }
            >
                <label>
                    <span>"担当者"</span>
                    <select
                        name="assignee"
                        aria-label="担当者"
                        on:change=on_change.clone()
                        disabled=move || busy.get()
                        prop:value=current.to_string()
                    >
                        <option value="">"未割り当て"</option>
                        {options.clone()}
                    </select>
                </label>
            </Show>
            {by.map(|b| view! { <span class="muted">{b}</span> })}
            <ErrorLine error/>
        </div>
    }
}

/// 「○分待ち」「○時間待ち」「○日待ち」 since `since`, at `now_ms` (milliseconds since the epoch).
pub fn waiting_label(since: &Timestamp, now_ms: f64) -> String {
    let minutes = ((now_ms - since.timestamp_millis() as f64) / 60_000.0).max(0.0) as i64;
    match minutes {
        m if m < 60 => format!("{m}分待ち"),
        m if m < 48 * 60 => format!("{}時間待ち", m / 60),
        m => format!("{}日待ち", m / (24 * 60)),
    }
}
