//! The app: the session decides between the login screen and the signed-in shell; the shell
//! holds the navigation, the live connection and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::nav::Nav;
use crate::live::Live;
use crate::pages::{
    inbox::InboxPage, inquiry::InquiryPage, order::OrderPage, orders::OrdersPage, setup::SignedOutPage,
    shops::ShopsPage, sync::SyncPage, templates::TemplatesPage, tokens::TokensPage,
};
use crate::session::{Phase, Session, SessionState};

#[component]
pub fn App() -> impl IntoView {
    let session = Session::provide();
    let phase = session.phase();
    view! {
        <Router>
            {move || match phase.get() {
                Phase::Loading => view! { <p class="page-loading">"読み込み中…"</p> }.into_any(),
                Phase::SignedOut => view! { <SignedOutPage/> }.into_any(),
                Phase::Failed => {
                    let message = move || match session.state.get() {
                        SessionState::Failed(m) => m,
                        _ => String::new(),
                    };
                    view! {
                        <div class="page-failed">
                            <p class="error">{message}</p>
                            <button on:click=move |_| session.reload()>"再読み込み"</button>
                        </div>
                    }
                        .into_any()
                }
                Phase::SignedIn => view! { <Shell session/> }.into_any(),
            }}
        </Router>
    }
}

/// Everything a signed-in staff member sees.
#[component]
fn Shell(session: Session) -> impl IntoView {
    let live = Live::provide(session);
    crate::attention::title_follows_counts(live);
    crate::attention::Notifications::provide(live, session);
    crate::pages::inbox::InboxPlace::provide();
    crate::drafts::guard_leaving(crate::drafts::Unsent::provide());
    view! {
        <Nav/>
        <Show when=move || live.dropped.get()>
            <div class="connection-banner" role="status">
                "接続が切れています。再接続しています…"
            </div>
        </Show>
        <main class="main">
            <Routes fallback=|| view! { <p class="empty">"ページが見つかりません。"</p> }>
                <Route path=path!("/") view=InboxPage/>
                <Route path=path!("/inquiries/:id") view=InquiryPage/>
                <Route path=path!("/orders") view=OrdersPage/>
                <Route path=path!("/orders/new") view=crate::pages::order_new::OrderNewPage/>
                <Route path=path!("/orders/:id") view=OrderPage/>
                <Route path=path!("/templates") view=TemplatesPage/>
                <Route path=path!("/shops") view=ShopsPage/>
                <Route path=path!("/sync") view=SyncPage/>
                <Route path=path!("/sync/runs/:id") view=crate::pages::sync::SyncRunPage/>
                <Route path=path!("/api-tokens") view=TokensPage/>
                <Route path=path!("/staff") view=crate::pages::staff::StaffPage/>
                <Route path=path!("/webhooks") view=crate::pages::webhooks::WebhooksPage/>
            </Routes>
        </main>
    }
}
