//! The messages of an inquiry, oldest first: who wrote (customer, or the shop and which staff
//! member), when, the body as plain text, attachments, and for shop messages the delivery
//! state towards the marketplace (a failed one shows its reason and can be retried).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ops::{IdVariables, Message, RetryMessage};
use shared::{DeliveryState, MessageAuthor};

use crate::api::{self, ApiError};
use crate::format;

#[component]
pub fn Thread(
    #[prop(into)] messages: Signal<Vec<Message>>,
    /// The customer's display name (the masked id on Yahoo!).
    #[prop(into)]
    customer: Signal<String>,
    /// Called after a retry was accepted, to re-query the inquiry.
    on_changed: Callback<()>,
    #[prop(into)] can_write: Signal<bool>,
) -> impl IntoView {
    view! {
        <ol class="thread">
            <For
                each=move || messages.get()
                key=|m| (m.id.clone(), m.delivery, m.delivery_error.clone())
                children=move |m| view! { <MessageItem message=m customer on_changed can_write/> }
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
    let delivery = from_shop.then(|| view! { <Delivery message=message.clone() on_changed can_write/> });
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
fn Delivery(message: Message, on_changed: Callback<()>, can_write: Signal<bool>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = message.id.clone();
    let retry = move |_| {
        let id = id.clone();
        busy.set(true);
        spawn_local(async move {
            match api::gql::<RetryMessage>(IdVariables::new(id)).await {
                Ok(_) => on_changed.run(()),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
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
            </Show>
            {move || error.get().map(|e| view! { <span class="error">{e.to_string()}</span> })}
        </div>
    }
}
