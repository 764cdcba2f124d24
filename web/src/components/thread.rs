//! The messages of an inquiry, oldest first: who wrote (customer, or the shop and which staff
//! member), when, the body as plain text, attachments, and for shop messages the delivery
//! state towards the marketplace (a failed one shows its reason and can be resent as it is,
//! corrected and resent — the marketplace's rules checked while typing — or withdrawn).

use leptos::prelude::*;
use shared::ops::{IdVariables, InquiryNote, Message, RetryMessage, RetryMessageVariables, WithdrawMessage};
use shared::{DeliveryState, Marketplace, MessageAuthor, reply_rules};

use crate::api;
use crate::components::notes::NoteItem;
use crate::format;

/// One entry of the thread: a message, or an internal note (merged in by time).
#[derive(Clone)]
enum Entry {
    Message(Message),
    Note(InquiryNote),
}

#[component]
pub fn Thread(
    #[prop(into)] messages: Signal<Vec<Message>>,
    /// The customer's display name (the masked id on Yahoo!).
    #[prop(into)]
    customer: Signal<String>,
    /// Called after a retry was accepted, to re-query the inquiry.
    on_changed: Callback<()>,
    #[prop(into)] can_write: Signal<bool>,
    /// The inquiry's marketplace (whose rules a corrected reply must meet).
    #[prop(into)]
    marketplace: Signal<Option<Marketplace>>,
    /// 社内メモ, shown among the messages by time.
    #[prop(optional, into)]
    notes: Option<Signal<Vec<InquiryNote>>>,
) -> impl IntoView {
    let entries = move || {
        let mut all: Vec<(shared::ops::Timestamp, Entry)> =
            messages.get().into_iter().map(|m| (m.sent_at, Entry::Message(m))).collect();
        if let Some(notes) = notes {
            all.extend(notes.get().into_iter().map(|n| (n.created_at, Entry::Note(n))));
        }
        // Stable: a message and a note at the same time keep messages first.
        all.sort_by_key(|(at, _)| *at);
        all.into_iter().map(|(_, e)| e).collect::<Vec<_>>()
    };
    view! {
        <ol class="thread">
            <For
                each=entries
                key=|e| match e {
                    Entry::Message(m) => (m.id.to_string(), Some((m.delivery, m.delivery_error.clone()))),
                    Entry::Note(n) => (format!("note-{}", n.id), None),
                }
                children=move |e| match e {
                    Entry::Message(m) => {
                        view! { <MessageItem message=m customer on_changed can_write marketplace/> }.into_any()
                    }
                    Entry::Note(n) => view! { <NoteItem note=n/> }.into_any(),
                }
            />
        </ol>
        {move || {
            messages.with(|m| m.is_empty()).then(|| view! { <p class="empty">"メッセージはまだありません。"</p> })
        }}
    }
}

#[component]
fn MessageItem(
    message: Message,
    customer: Signal<String>,
    on_changed: Callback<()>,
    can_write: Signal<bool>,
    marketplace: Signal<Option<Marketplace>>,
) -> impl IntoView {
    let from_shop = message.author == MessageAuthor::Shop;
    let author = match (message.author, message.staff_name.clone()) {
        (MessageAuthor::Shop, Some(staff)) if !staff.is_empty() => format!("店舗（{staff}）"),
        (MessageAuthor::Shop, _) => "店舗".to_string(),
        (MessageAuthor::Customer, _) => String::new(),
    };
    let author = move || if from_shop { author.clone() } else { format!("{}（お客様）", customer.get()) };
    let attachments = message
        .attachments
        .iter()
        .map(|a| {
            let label = format!("{}（{}）", a.file_name, format::file_size(a.size));
            view! {
                <li>
                    <a href=a.url.clone() target="_blank" rel="noopener">
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let delivery = from_shop.then(|| view! { <Delivery message=message.clone() on_changed can_write marketplace/> });
    view! {
        <li class="message" class:from-shop=from_shop class:from-customer=!from_shop>
            <div class="message-head">
                <span class="author">{author}</span>
                <time>{format::date_time(&message.sent_at)}</time>
            </div>
            <p class="message-body">{message.body.clone()}</p>
            <ul class="attachments">{attachments}</ul>
            {delivery}
        </li>
    }
}

#[component]
fn Delivery(
    message: Message,
    on_changed: Callback<()>,
    can_write: Signal<bool>,
    marketplace: Signal<Option<Marketplace>>,
) -> impl IntoView {
    // 再送する (with the corrected text, if any) or 取り下げる.
    let acting = Action::new_local(|(id, resend): &(String, Option<Option<String>>)| {
        let (id, resend) = (id.clone(), resend.clone());
        async move {
            match resend {
                Some(body) => {
                    let vars = RetryMessageVariables { id: id.into(), body, drop_attachments: false };
                    api::gql::<RetryMessage>(vars).await.map(|_| ())
                }
                None => api::gql::<WithdrawMessage>(IdVariables::new(id)).await.map(|_| ()),
            }
        }
    });
    let busy = acting.pending();
    let error = Signal::derive(move || acting.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = acting.value().get() {
            on_changed.run(());
        }
    });
    let editing = RwSignal::new(false);
    let text = RwSignal::new(message.body.clone());
    let problems = Memo::new(move |_| {
        let Some(m) = marketplace.get() else { return Vec::new() };
        text.with(|t| reply_rules::check_body(m, t.trim_end())).into_iter().map(|p| p.to_string()).collect::<Vec<_>>()
    });
    let id = message.id.clone();
    let resend = {
        let id = id.clone();
        move |body: Option<String>| {
            acting.clear();
            acting.dispatch((id.to_string(), Some(body)));
        }
    };
    let retry = {
        let resend = resend.clone();
        move |_| resend(None)
    };
    let send_corrected = move |_| {
        if problems.with_untracked(Vec::is_empty) {
            resend(Some(text.get_untracked()));
        }
    };
    let withdraw = move |_| {
        if !window()
            .confirm_with_message(
                "この返信を取り下げますか？（お客様には届いていません。取り下げると一覧から消えます）",
            )
            .unwrap_or(false)
        {
            return;
        }
        acting.clear();
        acting.dispatch((id.to_string(), None));
    };
    let class = format!("delivery delivery-{}", message.delivery.as_str().to_ascii_lowercase());
    let reason = message.delivery_error.clone().filter(|r| !r.is_empty());
    let failed = message.delivery == DeliveryState::Failed;
    view! {
        <div class=class>
            <span>{message.delivery.label_ja()}</span>
            {reason.map(|r| view! { <span>{format!("理由: {r}")}</span> })}
            <Show when=move || failed && can_write.get()>
                <button class="small" on:click=retry.clone() disabled=move || busy.get()>
                    "再送する"
                </button>
                <button class="small" on:click=move |_| editing.update(|e| *e = !*e) disabled=move || busy.get()>
                    "修正して再送"
                </button>
                <button class="small danger" on:click=withdraw.clone() disabled=move || busy.get()>
                    "取り下げる"
                </button>
            </Show>
            <Show when=move || failed && editing.get()>
                <div class="retry-edit">
                    <textarea
                        rows="6"
                        aria-label="修正した返信本文"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                    <ul class="body-problems">
                        {move || {
                            problems
                                .get()
                                .into_iter()
                                .map(|p| view! { <li class="field-error" role="alert">{p}</li> })
                                .collect_view()
                        }}
                    </ul>
                    <button
                        class="primary small"
                        on:click=send_corrected.clone()
                        disabled=move || busy.get() || !problems.with(Vec::is_empty)
                    >
                        "修正した内容で再送"
                    </button>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <span class="error">{e.to_string()}</span> })}
        </div>
    }
}
