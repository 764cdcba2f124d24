//! A screen only administrators use: others see its title and a notice instead.

use leptos::prelude::*;

use crate::session::use_session;

/// Shows `children` to administrators; anyone else gets the page head and `notice`.
#[component]
pub fn AdminOnly(
    /// The page title shown above the notice.
    title: &'static str,
    /// What everyone else reads, e.g. 「店舗設定は管理者のみ利用できます。」
    notice: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let is_admin = move || session.viewer().is_some_and(|v| v.role == shared::Role::Admin);
    view! {
        <Show
            when=is_admin
            fallback=move || {
                view! {
                    <div class="page-head">
                        <h1>{title}</h1>
                    </div>
                    <p class="notice">{notice}</p>
                }
            }
        >
            {children()}
        </Show>
    }
}
