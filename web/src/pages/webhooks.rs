//! Webhook (admin): endpoints that are sent the tenant's events as signed POSTs. A new
//! endpoint's signing secret is shown once, with a copy button; deleting asks for a
//! confirmation first; each endpoint shows its delivery log (newest first), read again every
//! [`LOG_REFRESH`] while the page is open and the tab is visible (and at once by the button).

use leptos::prelude::*;
use shared::ops::{
    CreateWebhook, CreateWebhookVariables, DeleteWebhook, IdVariables, Webhook, WebhookDelivery, WebhookInput, Webhooks,
};
use shared::{WebhookDeliveryResult, WebhookEvent};

use crate::api;
use crate::components::admin_only::AdminOnly;
use crate::components::error::{ErrorLine, FieldError, FormErrors, error_lines};
use crate::components::secret_once::SecretShownOnce;
use crate::format;

/// How often an open page reads the endpoints and their delivery logs again.
const LOG_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <AdminOnly title="Webhook" notice="Webhookの管理は管理者のみ利用できます。">
            <WebhookList/>
        </AdminOnly>
    }
}

/// What a row of the delivery log says.
fn result_line(d: &WebhookDelivery) -> String {
    let status = d.status_code.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "応答なし".into());
    format!("{}（{status}）", d.result.label_ja())
}

#[component]
fn WebhookList() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let hooks = LocalResource::new(move || {
        version.track();
        async { api::gql::<Webhooks>(()).await.map(|d| d.webhooks) }
    });
    // The log moves on its own (deliveries and retries happen in the background): read again
    // while someone looks at it.
    if let Ok(tick) = set_interval_with_handle(
        move || {
            if !document().hidden() {
                version.try_update(|v| *v += 1);
            }
        },
        LOG_REFRESH,
    ) {
        on_cleanup(move || tick.clear());
    }
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(vec![WebhookEvent::InquiryReceived]);
    let created = RwSignal::new(None::<(String, String)>);
    let note = RwSignal::new(None::<String>);

    let creating = Action::new_local(|vars: &CreateWebhookVariables| {
        let vars = vars.clone();
        async move { api::gql::<CreateWebhook>(vars).await.map(|d| d.create_webhook) }
    });
    let busy = creating.pending();
    let create_error = Signal::derive(move || creating.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(w)) = creating.value().get() {
            created.set(Some((w.webhook.url, w.secret)));
            url.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let vars = CreateWebhookVariables {
            input: WebhookInput { url: url.get_untracked().trim().to_string(), events: events.get_untracked() },
        };
        creating.clear();
        note.set(None);
        creating.dispatch(vars);
    };
    let deleting = Action::new_local(|w: &Webhook| {
        let w = w.clone();
        async move { api::gql::<DeleteWebhook>(IdVariables::new(w.id.clone())).await.map(|_| w.url) }
    });
    let list_error = Signal::derive(move || deleting.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(gone)) = deleting.value().get() {
            note.set(Some(format!("Webhook「{gone}」を削除しました。")));
            version.update(|v| *v += 1);
        }
    });
    let delete = move |w: Webhook| {
        let question = format!("Webhook「{}」を削除しますか？このURLにはイベントが送信されなくなります。", w.url);
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        deleting.clear();
        deleting.dispatch(w);
    };

    let event_boxes = WebhookEvent::ALL
        .iter()
        .map(|e| {
            let e = *e;
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name="events"
                        value=e.as_str()
                        prop:checked=move || events.with(|s| s.contains(&e))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            events.update(|s| {
                                s.retain(|x| *x != e);
                                if on {
                                    s.push(e);
                                }
                            });
                        }
                    />
                    {e.label_ja()}
                    " "
                    <code>{e.as_str()}</code>
                </label>
            }
        })
        .collect_view();

    let secret_box = move || {
        created.get().map(|(name, secret)| {
            view! {
                <SecretShownOnce
                    title=format!("Webhook「{name}」を登録しました")
                    notice="署名用のシークレットは今だけ表示されます。受信側で X-Madoguchi-Signature の確認に使うため、安全な場所に保存してください。"
                    secret
                    on_close=Callback::new(move |()| created.set(None))
                />
            }
        })
    };

    let log = |deliveries: Vec<WebhookDelivery>| match deliveries {
        d if d.is_empty() => view! { <p class="empty">"まだ送信していません。"</p> }.into_any(),
        d => {
            let rows = d
                .into_iter()
                .map(|d| {
                    let failed = d.result != WebhookDeliveryResult::Delivered;
                    view! {
                        <tr class:failed=failed data-result=d.result.as_str()>
                            <td>{format::date_time(&d.at)}</td>
                            <td>{d.event_type.label_ja()}</td>
                            <td class="num">{d.sequence}</td>
                            <td class="num">{d.attempt}</td>
                            <td>{result_line(&d)}</td>
                            <td class="num">{format!("{} ms", d.duration_ms)}</td>
                            <td class="error-text">{d.error.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="grid deliveries">
                    <thead>
                        <tr>
                            <th>"日時"</th>
                            <th>"イベント"</th>
                            <th>"連番"</th>
                            <th>"試行"</th>
                            <th>"結果"</th>
                            <th>"所要時間"</th>
                            <th>"エラー"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };

    let cards = move |list: Vec<Webhook>| match list {
        list if list.is_empty() => view! { <p class="empty">"Webhookはまだ登録されていません。"</p> }.into_any(),
        list => list
            .into_iter()
            .map(|w| {
                let kinds = w.events.iter().map(|e| e.label_ja()).collect::<Vec<_>>().join("、");
                let retry = w.next_attempt_at.as_ref().map(|at| {
                    format!("送信に失敗しています（{}回）。次の再送: {}", w.failed_attempts, format::date_time(at))
                });
                let target = w.clone();
                view! {
                    <section class="card webhook" data-webhook-id=w.id.to_string()>
                        <div class="page-head">
                            <h2 class="webhook-url">{w.url.clone()}</h2>
                            <button class="small danger" on:click=move |_| delete(target.clone())>
                                "削除"
                            </button>
                        </div>
                        <p>{format!("イベント: {kinds}")}</p>
                        <p class="meta">
                            {format!("登録: {}（{}）", format::date_time(&w.created_at), w.created_by)}
                        </p>
                        {retry.map(|r| view! { <p class="error">{r}</p> })}
                        <h3>"送信履歴"</h3>
                        {log(w.deliveries.clone())}
                    </section>
                }
            })
            .collect_view()
            .into_any(),
    };

    view! {
        <div class="page-head">
            <h1>"Webhook"</h1>
            <button type="button" on:click=move |_| version.update(|v| *v += 1)>
                "最新の状態に更新"
            </button>
        </div>
        <p class="editor-help">
            "選んだイベントが起きると、登録したURLにJSONをPOSTで送信します。届かなかったときは24時間まで間隔をあけて再送し、URLごとに発生順に届けます。"
        </p>
        <form class="card form webhook-form" on:submit=create>
            <h2>"新しいWebhook"</h2>
            <div class="form-row">
                <label>
                    <span class="required">"送信先URL"</span>
                    <input
                        name="webhookUrl"
                        type="url"
                        placeholder="例: https://example.jp/madoguchi/webhook"
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev))
                    />
                    <FieldError error=create_error field="url"/>
                </label>
                <div class="field">
                    <span class="required">"イベント"</span>
                    <div class="checks">{event_boxes}</div>
                    <FieldError error=create_error field="events"/>
                </div>
            </div>
            {FormErrors::new(create_error).general()}
            <div class="form-actions">
                <button
                    type="submit"
                    class="primary"
                    disabled=move || busy.get() || url.with(|u| u.trim().is_empty()) || events.with(Vec::is_empty)
                >
                    {move || if busy.get() { "登録中…" } else { "登録" }}
                </button>
            </div>
        </form>
        {secret_box}
        {move || note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        <ErrorLine error=list_error/>
        <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
            <ErrorBoundary fallback=error_lines>
                {move || Suspend::new(async move { hooks.await.map(cards) })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}
