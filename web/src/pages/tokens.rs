//! APIトークン (admin): the tenant's tokens for third-party systems. A new token's secret is
//! shown once, with a copy button; revoking asks for a confirmation first.

use leptos::prelude::*;
use shared::ops::{ApiToken, ApiTokens, CreateApiToken, CreateApiTokenVariables, IdVariables, RevokeApiToken};

use crate::api;
use crate::components::admin_only::AdminOnly;
use crate::components::error::{ErrorLine, FieldError, FormErrors, error_lines};
use crate::components::secret_once::SecretShownOnce;
use crate::format;

/// The scopes a token can carry, with what they allow.
const SCOPES: [(&str, &str); 3] = [("read", "read（参照）"), ("write", "write（更新）"), ("admin", "admin（管理）")];

fn scope_label(scope: &str) -> &str {
    SCOPES.iter().find(|(s, _)| *s == scope).map_or(scope, |(_, label)| label)
}

#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <AdminOnly title="APIトークン" notice="APIトークンの管理は管理者のみ利用できます。">
            <Tokens/>
        </AdminOnly>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let tokens = LocalResource::new(move || {
        version.track();
        async { api::gql::<ApiTokens>(()).await.map(|d| d.api_tokens) }
    });
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["read".to_string()]);
    let created = RwSignal::new(None::<(String, String)>);
    let note = RwSignal::new(None::<String>);

    let creating = Action::new_local(|vars: &CreateApiTokenVariables| {
        let vars = vars.clone();
        async move { api::gql::<CreateApiToken>(vars).await.map(|d| d.create_api_token) }
    });
    let busy = creating.pending();
    let create_error = Signal::derive(move || creating.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(t)) = creating.value().get() {
            created.set(Some((t.api_token.name, t.token)));
            name.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let vars =
            CreateApiTokenVariables { name: name.get_untracked().trim().to_string(), scopes: scopes.get_untracked() };
        creating.clear();
        note.set(None);
        creating.dispatch(vars);
    };

    let revoking = Action::new_local(|t: &ApiToken| {
        let t = t.clone();
        async move { api::gql::<RevokeApiToken>(IdVariables::new(t.id.clone())).await.map(|_| t.name) }
    });
    let list_error = Signal::derive(move || revoking.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(revoked)) = revoking.value().get() {
            note.set(Some(format!("APIトークン「{revoked}」を無効にしました。")));
            version.update(|v| *v += 1);
        }
    });
    let revoke = move |t: ApiToken| {
        let question = format!(
            "APIトークン「{}」を無効にしますか？このトークンを使っている連携はすぐに利用できなくなります。",
            t.name
        );
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        revoking.clear();
        revoking.dispatch(t);
    };

    let scope_boxes = SCOPES
        .iter()
        .map(|(scope, label)| {
            let scope = *scope;
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name="scopes"
                        value=scope
                        prop:checked=move || scopes.with(|s| s.iter().any(|x| x == scope))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            scopes.update(|s| {
                                s.retain(|x| x != scope);
                                if on {
                                    s.push(scope.to_string());
                                }
                            });
                        }
                    />
                    {*label}
                </label>
            }
        })
        .collect_view();

    let secret_box = move || {
        created.get().map(|(name, secret)| {
            view! {
                <SecretShownOnce
                    title=format!("APIトークン「{name}」を作成しました")
                    notice="このトークンは今だけ表示されます。安全な場所に保存してください。"
                    secret
                    on_close=Callback::new(move |()| created.set(None))
                />
            }
        })
    };

    let rows = move |list: Vec<ApiToken>| match list {
        list if list.is_empty() => view! { <p class="empty">"APIトークンはまだありません。"</p> }.into_any(),
        list => {
            let rows = list
                .into_iter()
                .map(|t| {
                    let scopes = t.scopes.iter().map(|s| scope_label(s).to_string()).collect::<Vec<_>>().join("、");
                    let last_used = t.last_used_at.as_ref().map(format::date_time).unwrap_or_else(|| "未使用".into());
                    let target = t.clone();
                    view! {
                        <tr data-token-id=t.id.to_string()>
                            <td>{t.name.clone()}</td>
                            <td>{scopes}</td>
                            <td>{format::date_time(&t.created_at)}</td>
                            <td>{last_used}</td>
                            <td class="num">
                                <button class="small danger" on:click=move |_| revoke(target.clone())>
                                    "無効にする"
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="grid tokens">
                    <thead>
                        <tr>
                            <th>"名前"</th>
                            <th>"権限"</th>
                            <th>"作成日時"</th>
                            <th>"最終利用日時"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };

    view! {
        <div class="page-head">
            <h1>"APIトークン"</h1>
        </div>
        <p class="editor-help">
            "外部システムからGraphQL APIを利用するためのトークンです。「Authorization: Bearer トークン」として送信します。"
        </p>
        <form class="card form token-form" on:submit=create>
            <h2>"新しいトークン"</h2>
            <div class="form-row">
                <label>
                    <span class="required">"名前"</span>
                    <input
                        name="tokenName"
                        placeholder="例: 在庫連携システム"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <FieldError error=create_error field="name"/>
                </label>
                <div class="field">
                    <span class="required">"権限"</span>
                    <div class="checks">{scope_boxes}</div>
                    <FieldError error=create_error field="scopes"/>
                </div>
            </div>
            {FormErrors::new(create_error).general()}
            <div class="form-actions">
                <button
                    type="submit"
                    class="primary"
                    disabled=move || busy.get() || name.with(|n| n.trim().is_empty()) || scopes.with(Vec::is_empty)
                >
                    {move || if busy.get() { "作成中…" } else { "作成" }}
                </button>
            </div>
        </form>
        {secret_box}
        {move || note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        <ErrorLine error=list_error/>
        <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
            <ErrorBoundary fallback=error_lines>
                {move || Suspend::new(async move { tokens.await.map(rows) })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}
