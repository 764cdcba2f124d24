//! One inquiry: the thread, the related order beside it, the reply box, and 完了する (which
//! turns into the label 対応完了). Reopening is offered only where the marketplace allows it.
//! The page re-queries when a live event is about this inquiry, and after a reconnect.
//! Showing the thread marks it read for the viewer (`markInquiryRead`), and so does a customer
//! message arriving while it is shown; a hidden tab marks it when it is shown again.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::ops::{CompleteInquiry, IdVariables, Inquiry, InquiryDetail, MarkInquiryRead, ReopenInquiry};
use shared::{InquiryStatus, MessageAuthor, inquiry as rules};

use crate::api;
use crate::components::assignee::{AssigneeSelect, waiting_label};
use crate::components::badges::{FailedReplyMark, InquiryStatusBadge, MarketplaceBadge};
use crate::components::notes::NoteBox;
use crate::components::order_panel::OrderPanel;
use crate::components::presence::PresenceBar;
use crate::components::reply_box::ReplyBox;
use crate::components::thread::Thread;
use crate::live::use_live;
use crate::session::use_session;

#[component]
pub fn InquiryPage() -> impl IntoView {
    let params = use_params_map();
    let live = use_live();
    let session = use_session();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    // r: to the reply box; Esc: back to the inbox as it was.
    let navigate = leptos_router::hooks::use_navigate();
    let unsent = crate::drafts::use_unsent();
    let inbox = crate::pages::inbox::use_inbox_place();
    crate::keys::on_page_keys(move |ev| match ev.key().as_str() {
        "r" => {
            if let Some(reply) = crate::keys::all(".reply textarea").into_iter().next() {
                ev.prevent_default();
                let _ = reply.focus();
            }
        }
        "Escape" => {
            ev.prevent_default();
            // An unsent draft is kept, but leaving still asks.
            if !unsent.confirm_leave() {
                return;
            }
            navigate(&inbox.href(), Default::default());
        }
        _ => {}
    });

    let resource = LocalResource::new(move || {
        let id = id.get();
        async move { api::gql::<Inquiry>(IdVariables::new(id)).await.map(|d| d.inquiry) }
    });
    Effect::watch(
        move || live.last_inquiry_event.get(),
        move |event, _, _| {
            if event.as_ref().is_some_and(|e| e.id == id.get_untracked()) {
                resource.refetch();
            }
        },
        false,
    );
    Effect::watch(move || live.reconnects.get(), move |_, _, _| resource.refetch(), false);

    // The last good answer, kept while a re-query runs so the page never blinks.
    let detail = Memo::new(move |previous: Option<&Option<InquiryDetail>>| match resource.get() {
        Some(Ok(Some(d))) if d.id == id.get() => Some(d),
        Some(Ok(None)) => None,
        // Loading, or a failed re-query: keep what is on screen (and the draft with it).
        _ => previous.cloned().flatten().filter(|d| d.id == id.get()),
    });
    let load_error = move || match resource.get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(None)) => Some("お問い合わせが見つかりません。".to_string()),
        _ => None,
    };
    let loaded = Memo::new(move |_| detail.with(Option::is_some));
    mark_read_when_shown(detail);

    let refetch = Callback::new(move |()| resource.refetch());
    let on_sent = Callback::new(move |()| {
        resource.refetch();
        live.touch();
    });
    let can_write = Signal::derive(move || session.can_write());
    let typed = RwSignal::new(0u64);
    let on_typing = Callback::new(move |()| typed.update(|n| *n += 1));

    let messages = Signal::derive(move || detail.with(|d| d.as_ref().map(|d| d.messages.clone()).unwrap_or_default()));
    let notes = Signal::derive(move || detail.with(|d| d.as_ref().map(|d| d.notes.clone()).unwrap_or_default()));
    let customer = Signal::derive(move || {
        detail.with(|d| {
            d.as_ref()
                .and_then(|d| d.customer_name.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "お客様".into())
        })
    });
    let profile =
        Signal::derive(move || detail.with(|d| d.as_ref().map(|d| d.shop.profile.clone().into()).unwrap_or_default()));
    let last_message_id =
        Signal::derive(move || detail.with(|d| d.as_ref()?.messages.last().map(|m| m.id.to_string())));
    let can_reply = Memo::new(move |_| {
        detail.with(|d| d.as_ref().is_some_and(|d| d.shop.marketplace.capabilities().replies)) && can_write.get()
    });

    view! {
        <A href="/" attr:class="back">
            "← お問い合わせ一覧"
        </A>
        {move || {
            load_error()
                .map(|m| {
                    view! {
                        <p class="error" role="alert">
                            {m}
                            <button class="retry" on:click=move |_| resource.refetch()>
                                "再試行"
                            </button>
                        </p>
                    }
                })
        }}
        <Show
            when=move || loaded.get()
            fallback=move || (resource.get().is_none()).then(|| view! { <p class="loading">"読み込み中…"</p> })
        >
            <div class="inquiry-page">
                {move || detail.get().map(|d| view! { <InquiryHead detail=d on_changed=on_sent can_write/> })}
                <PresenceBar inquiry_id=id.get_untracked() typed/>
                <div class="conversation">
                    <Thread
                        messages
                        customer
                        on_changed=refetch
                        can_write
                        marketplace=Signal::derive(move || detail.with(|d| d.as_ref().map(|d| d.shop.marketplace)))
                        notes
                    />
                    <Show when=move || can_write.get()>
                        <NoteBox inquiry_id=id on_added=refetch/>
                    </Show>
                    <Show when=move || can_reply.get()>
                        <ReplyBox
                            inquiry_id=id
                            profile
                            marketplace=Signal::derive(move || detail.with(|d| d.as_ref().map(|d| d.shop.marketplace)))
                            last_message_id
                            on_sent
                            on_conflict=refetch
                            on_typing
                        />
                    </Show>
                </div>
                {move || detail.get().map(|d| view! { <OrderPanel order=d.order order_number=d.order_number/> })}
            </div>
        </Show>
    }
}

/// 既読: tells the server each time the thread shown has a customer message not marked yet,
/// while the page is visible.
fn mark_read_when_shown(detail: Memo<Option<InquiryDetail>>) {
    let visible = RwSignal::new(!document().hidden());
    let listener = window_event_listener_untyped("visibilitychange", move |_| {
        visible.try_set(!document().hidden());
    });
    on_cleanup(move || listener.remove());
    // (inquiry, its newest customer message) as shown.
    let shown = Memo::new(move |_| {
        detail.with(|d| {
            d.as_ref().map(|d| {
                let newest =
                    d.messages.iter().rev().find(|m| m.author == MessageAuthor::Customer).map(|m| m.id.to_string());
                (d.id.to_string(), newest)
            })
        })
    });
    let marked = StoredValue::new(None::<(String, Option<String>)>);
    Effect::new(move |_| {
        let Some(now) = shown.get() else { return };
        if !visible.get() || marked.with_value(|m| m.as_ref() == Some(&now)) {
            return;
        }
        marked.set_value(Some(now.clone()));
        leptos::task::spawn_local(async move {
            let _ = api::gql::<MarkInquiryRead>(IdVariables::new(now.0)).await;
        });
    });
}

/// What 完了する asks where completion cannot be undone.
pub fn one_way_question(marketplace: shared::Marketplace) -> String {
    let name = marketplace.label_ja();
    format!("{name}の仕様上、対応完了にしたお問い合わせは再開できません（「返信が必要」に戻せません）。完了しますか？")
}

/// Who, where, status, and the 完了する / 対応完了 / 再開する actions.
#[component]
fn InquiryHead(detail: InquiryDetail, on_changed: Callback<()>, can_write: Signal<bool>) -> impl IntoView {
    let marketplace = detail.shop.marketplace;
    let completed = detail.status == InquiryStatus::Completed;
    let shop_has_replied = detail.messages.iter().any(|m| m.author == MessageAuthor::Shop);
    let can_complete = rules::check_complete(marketplace, completed, shop_has_replied);
    let can_reopen = rules::check_reopen(marketplace, completed).is_ok();
    let supports_completion = marketplace.capabilities().can_complete;
    // 再開する (true) or 完了する (false).
    let changing = Action::new_local(|(id, reopen): &(String, bool)| {
        let (id, reopen) = (id.clone(), *reopen);
        async move {
            if reopen {
                api::gql::<ReopenInquiry>(IdVariables::new(id)).await.map(drop)
            } else {
                api::gql::<CompleteInquiry>(IdVariables::new(id)).await.map(drop)
            }
        }
    });
    let busy = changing.pending();
    let error = Signal::derive(move || changing.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = changing.value().get() {
            on_changed.run(());
        }
    });
    let id = detail.id.clone();

    let run = move |reopen: bool| {
        changing.clear();
        changing.dispatch((id.to_string(), reopen));
    };
    let reply_failed = detail.reply_failed;
    // Yahoo! Shopping: a completed inquiry can never go back to 返信が必要.
    let one_way = matches!(rules::check_reopen(marketplace, true), Err(rules::ReopenRefusal::OneWay { .. }));
    let complete = {
        let run = run.clone();
        move |_| {
            if one_way && !window().confirm_with_message(&one_way_question(marketplace)).unwrap_or(false) {
                return;
            }
            // Completing with an undelivered reply closes an inquiry whose customer was never answered.
            if reply_failed
                && !window()
                    .confirm_with_message(
                        "送信に失敗した返信があります。お客様には届いていません。このまま完了しますか？",
                    )
                    .unwrap_or(false)
            {
                return;
            }
            run(false)
        }
    };
    let reopen = move |_| run(true);
    let refusal = can_complete.as_ref().err().map(|r| r.to_string());
    let customer = detail.customer_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "お客様".into());

    let actions = if completed {
        view! {
            <span class="done-label">"対応完了"</span>
            <Show when=move || can_reopen && can_write.get()>
                <button on:click=reopen.clone() disabled=move || busy.get()>
                    "再開する"
                </button>
            </Show>
        }
        .into_any()
    } else if supports_completion {
        let refused = refusal.is_some();
        let title = refusal.clone().unwrap_or_default();
        view! {
            <Show when=move || can_write.get()>
                <button
                    class="primary"
                    on:click=complete.clone()
                    disabled=move || busy.get() || refused
                    title=title.clone()
                >
                    "完了する"
                </button>
            </Show>
        }
        .into_any()
    } else {
        ().into_any()
    };

    view! {
        <div class="inquiry-head">
            <div class="who">
                <MarketplaceBadge marketplace/>
                <span class="muted">{detail.shop.name.clone()}</span>
                <h1>{customer}</h1>
                {(!completed).then(|| view! { <InquiryStatusBadge status=detail.status/> })}
                {(!completed && detail.reply_failed).then(|| view! { <FailedReplyMark/> })}
                <span class="muted">{format!("お問い合わせ番号 {}", detail.marketplace_inquiry_id)}</span>
                {detail
                    .waiting_since
                    .map(|w| view! { <span class="waiting">{waiting_label(&w, js_sys::Date::now())}</span> })}
            </div>
            <AssigneeSelect
                inquiry_id=detail.id.to_string()
                assignee=detail.assignee.clone()
                assigned_by=detail.assigned_by.clone()
                can_write
                on_changed
            />
            <div class="inquiry-actions">{actions}</div>
            {detail.subject.clone().filter(|s| !s.is_empty()).map(|s| view! { <p class="subject">{s}</p> })}
            {(!completed && supports_completion)
                .then_some(refusal)
                .flatten()
                .map(|r| view! { <p class="subject">{r}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}
