//! 社内メモ: internal notes on an inquiry, shown in the thread in their own style (never sent
//! to the customer), and the box to write one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ops::{AddInquiryNote, AddInquiryNoteVariables, InquiryNote};

use crate::api::{self, ApiError};
use crate::format;

/// One note in the thread: marked 社内メモ, with its author and time.
#[component]
pub fn NoteItem(note: InquiryNote) -> impl IntoView {
    view! {
        <li class="message internal-note" data-note-id=note.id.clone()>
            <div class="message-head">
                <span class="note-label">"社内メモ（お客様には送信されません）"</span>
                <span class="author">{note.author.clone()}</span>
                <time>{format::date_time(&note.created_at)}</time>
            </div>
            <p class="message-body">{note.body.clone()}</p>
        </li>
    }
}

/// Writes a note; `on_added` re-queries the inquiry.
#[component]
pub fn NoteBox(#[prop(into)] inquiry_id: Signal<String>, on_added: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        busy.set(true);
        error.set(None);
        let inquiry_id = inquiry_id.get_untracked();
        spawn_local(async move {
            match api::gql::<AddInquiryNote>(AddInquiryNoteVariables { inquiry_id, body }).await {
                Ok(_) => {
                    let _ = text.try_set(String::new());
                    on_added.run(());
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="note-box" on:submit=submit>
            <label>
                <span>"社内メモ（お客様には送信されません）"</span>
                <textarea
                    name="note"
                    rows="2"
                    aria-label="社内メモ"
                    placeholder="スタッフ間の共有事項を入力"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <button type="submit" disabled=move || busy.get() || text.with(|t| t.trim().is_empty())>
                "メモを追加"
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </form>
    }
}
