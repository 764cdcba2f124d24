//! スタッフ管理 (admin): the tenant's staff accounts. Add one (氏名, メールアドレス, 権限,
//! パスワード), edit one (a blank password keeps the current one), 利用停止 (after a
//! confirmation: the member can no longer sign in and their open screens stop working) and
//! 利用再開. Nothing is deleted, so replies keep their author's name.

use leptos::prelude::*;
use shared::Role;
use shared::ops::{
    CreateStaff, CreateStaffVariables, DisableStaff, EnableStaff, IdVariables, StaffInput, StaffMember, StaffMembers,
    Timestamp, UpdateStaff, UpdateStaffVariables,
};

use crate::api;
use crate::components::admin_only::AdminOnly;
use crate::components::enum_select::EnumSelect;
use crate::components::error::{ErrorLine, FormErrors, error_lines};
use crate::session::use_session;

/// The least a password may have (the server's rule).
const PASSWORD_MIN: usize = 10;

/// `2023/11/24`, in Japan time.
fn day(ts: &Timestamp) -> String {
    ts.with_timezone(&crate::format::jst()).format("%Y/%m/%d").to_string()
}

/// What the form can tell before sending: every empty required field at once, and a password
/// that is too short. The server checks everything again (and the e-mail's shape and uniqueness).
pub fn check_form(name: &str, email: &str, password: &str, is_new: bool) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(("name", "氏名を入力してください".to_string()));
    }
    if email.trim().is_empty() {
        errors.push(("email", "メールアドレスを入力してください".to_string()));
    }
    if password.is_empty() {
        if is_new {
            errors.push(("password", "パスワードを入力してください".to_string()));
        }
    } else if password.chars().count() < PASSWORD_MIN {
        errors.push(("password", format!("パスワードは{PASSWORD_MIN}文字以上にしてください")));
    }
    errors
}

#[component]
pub fn StaffPage() -> impl IntoView {
    view! {
        <AdminOnly title="スタッフ管理" notice="この画面は管理者のみ利用できます。">
            <Staff/>
        </AdminOnly>
    }
}

#[component]
fn Staff() -> impl IntoView {
    let session = use_session();
    let viewer = session.viewer();
    let me = viewer.map(|v| v.id).unwrap_or_default();

    let version = RwSignal::new(0u32);
    let members = LocalResource::new(move || {
        version.track();
        async { api::gql::<StaffMembers>(()).await.map(|d| d.staff_members) }
    });
    // The member being edited; `None`: the form adds a new one.
    let editing = RwSignal::new(None::<StaffMember>);
    // Bumped after a save, so the form starts empty again.
    let form_key = RwSignal::new(0u32);
    let note = RwSignal::new(None::<String>);
    // 利用停止 (false) / 利用再開 (true) of one member; the result is the sentence to show.
    let switching = Action::new_local(|(m, enable): &(StaffMember, bool)| {
        let (id, enable) = (m.id.clone(), *enable);
        async move {
            if enable {
                api::gql::<EnableStaff>(IdVariables::new(id))
                    .await
                    .map(|d| format!("{}さんの利用を再開しました。", d.enable_staff.name))
            } else {
                api::gql::<DisableStaff>(IdVariables::new(id))
                    .await
                    .map(|d| format!("{}さんを利用停止にしました。", d.disable_staff.name))
            }
        }
    });
    let list_error = Signal::derive(move || switching.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(done)) = switching.value().get() {
            note.set(Some(done));
            version.update(|v| *v += 1);
        }
    });

    let on_saved = Callback::new(move |(m, created): (StaffMember, bool)| {
        note.set(Some(if created {
            format!("スタッフ「{}」を追加しました。", m.name)
        } else {
            format!("スタッフ「{}」を更新しました。", m.name)
        }));
        editing.set(None);
        form_key.update(|k| *k += 1);
        version.update(|v| *v += 1);
    });
    let on_cancel = Callback::new(move |()| {
        editing.set(None);
        form_key.update(|k| *k += 1);
    });

    let disable = move |m: StaffMember| {
        let question = format!(
            "{}さんを利用停止にしますか？このスタッフはログインできなくなり、ログイン中の画面もすぐに使えなくなります。（返信の履歴は残ります）",
            m.name
        );
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        note.set(None);
        switching.clear();
        switching.dispatch((m, false));
    };

    let enable = move |m: StaffMember| {
        note.set(None);
        switching.clear();
        switching.dispatch((m, true));
    };

    let rows = move |list: Vec<StaffMember>| match list {
        list if list.is_empty() => view! { <p class="empty">"スタッフはまだいません。"</p> }.into_any(),
        list => {
            let rows = list
                .into_iter()
                .map(|m| {
                    let is_me = m.id == me;
                    let (edit, target) = (m.clone(), m.clone());
                    let action = if m.disabled {
                        view! {
                            <button class="small" on:click=move |_| enable(target.clone())>
                                "利用再開"
                            </button>
                        }
                        .into_any()
                    } else if is_me {
                        ().into_any()
                    } else {
                        view! {
                            <button class="small danger" on:click=move |_| disable(target.clone())>
                                "利用停止"
                            </button>
                        }
                        .into_any()
                    };
                    view! {
                        <tr data-staff-id=m.id.to_string() class:disabled=m.disabled>
                            <td>
                                {m.name.clone()}
                                {is_me.then(|| view! { <span class="muted you">"（あなた）"</span> })}
                            </td>
                            <td class="staff-email">{m.email.clone()}</td>
                            <td>{m.role.label_ja()}</td>
                            <td class="staff-state">
                                {if m.disabled {
                                    view! { <span class="status staff-off">"利用停止"</span> }.into_any()
                                } else {
                                    view! { <span class="status staff-on">"利用中"</span> }.into_any()
                                }}
                            </td>
                            <td>{day(&m.created_at)}</td>
                            <td class="num actions">
                                <button
                                    class="small"
                                    on:click=move |_| {
                                        note.set(None);
                                        editing.set(Some(edit.clone()));
                                        // The form is above the list.
                                        window().scroll_to_with_x_and_y(0.0, 0.0);
                                    }
                                >
                                    "編集"
                                </button>
                                {action}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll">
                    <table class="grid staff">
                        <thead>
                            <tr>
                                <th>"氏名"</th>
                                <th>"メールアドレス"</th>
                                <th>"権限"</th>
                                <th>"状態"</th>
                                <th>"登録日"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };

    let form = move || {
        form_key.track();
        let member = editing.get();
        view! { <StaffForm member on_saved on_cancel/> }
    };

    view! {
        <div class="page-head">
            <h1>"スタッフ管理"</h1>
        </div>
        <p class="editor-help">
            "管理者はすべての操作、担当者はお問い合わせ・受注・テンプレートの操作、閲覧のみは参照だけができます。利用停止にしたスタッフはログインできなくなりますが、返信の履歴には名前が残ります。"
        </p>
        {form}
        {move || note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        <ErrorLine error=list_error/>
        <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
            <ErrorBoundary fallback=error_lines>
                {move || {
                    let rows = rows.clone();
                    Suspend::new(async move { members.await.map(rows) })
                }}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// Adds a member (`member: None`) or edits one.
#[component]
fn StaffForm(
    member: Option<StaffMember>,
    on_saved: Callback<(StaffMember, bool)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let editing_id = member.as_ref().map(|m| m.id.clone());
    let is_new = editing_id.is_none();
    let name = RwSignal::new(member.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    let email = RwSignal::new(member.as_ref().map(|m| m.email.clone()).unwrap_or_default());
    let role = RwSignal::new(member.as_ref().map(|m| m.role).unwrap_or(Role::Staff));
    let password = RwSignal::new(String::new());
    // Adds (no id) or updates a member; `true` when added.
    let saving = Action::new_local(|(id, input): &(Option<String>, StaffInput)| {
        let (id, input) = (id.clone(), input.clone());
        async move {
            match id {
                Some(id) => api::gql::<UpdateStaff>(UpdateStaffVariables { id: id.into(), input })
                    .await
                    .map(|d| (d.update_staff, false)),
                None => api::gql::<CreateStaff>(CreateStaffVariables { input }).await.map(|d| (d.create_staff, true)),
            }
        }
    });
    let busy = saving.pending();
    let errors = FormErrors::new(Signal::derive(move || saving.value().get().and_then(Result::err)));
    let client_errors = errors.client;
    // The message beside a field: what the form found before sending, else the server's.
    let field_error = move |field: &'static str| errors.field(field);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = saving.value().get() {
            on_saved.run(saved);
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = password.get_untracked();
        let found = check_form(&name.get_untracked(), &email.get_untracked(), &typed, is_new);
        let stop = !found.is_empty();
        client_errors.set(found);
        if stop {
            saving.clear();
            return;
        }
        let input = StaffInput {
            email: email.get_untracked().trim().to_string(),
            name: name.get_untracked().trim().to_string(),
            role: role.get_untracked(),
            // Editing: blank keeps the current password. Adding: the server says it is required.
            password: if typed.is_empty() && !is_new { None } else { Some(typed) },
        };
        saving.clear();
        saving.dispatch((editing_id.clone().map(Into::into), input));
    };

    view! {
        <form class="card form staff-form" on:submit=save novalidate>
            <h2>
                {match &member {
                    None => "スタッフを追加".to_string(),
                    Some(m) => format!("スタッフの編集：{}", m.name),
                }}
            </h2>
            <div class="form-row">
                <label>
                    <span class="required">"氏名"</span>
                    <input
                        name="name"
                        maxlength="50"
                        placeholder="例: 山田 花子"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    {field_error("name")}
                </label>
                <label>
                    <span class="required">"メールアドレス"</span>
                    <input
                        type="email"
                        name="email"
                        autocomplete="off"
                        placeholder="例: hanako@example.jp"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                    {field_error("email")}
                </label>
                <label>
                    <span class="required">"権限"</span>
                    <EnumSelect
                        name="role"
                        value=Signal::derive(move || Some(role.get()))
                        on_change=Callback::new(move |r: Option<Role>| {
                            if let Some(r) = r {
                                role.set(r);
                            }
                        })
                    />
                    {field_error("role")}
                </label>
                <label>
                    <span class:required=is_new>"パスワード"</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        placeholder=if is_new {
                            format!("{PASSWORD_MIN}文字以上")
                        } else {
                            "変更する場合のみ入力".to_string()
                        }
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    {field_error("password")}
                </label>
            </div>
            {errors.general()}
            <div class="form-actions">
                {(!is_new)
                    .then(|| {
                        view! {
                            <button type="button" on:click=move |_| on_cancel.run(())>
                                "キャンセル"
                            </button>
                        }
                    })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || match (busy.get(), is_new) {
                        (true, _) => "保存中…",
                        (false, true) => "追加",
                        (false, false) => "保存",
                    }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_every_missing_field_and_a_short_password() {
        let fields = |errs: Vec<(&'static str, String)>| errs.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(check_form(" ", "", "", true)), ["name", "email", "password"]);
        assert_eq!(
            fields(check_form("加藤", "k@example.jp", "", false)),
            Vec::<&str>::new(),
            "editing: blank keeps it"
        );
        assert_eq!(fields(check_form("加藤", "k@example.jp", "123456789", false)), ["password"]);
        assert!(check_form("加藤", "k@example.jp", "0123456789", true).is_empty());
    }
}
