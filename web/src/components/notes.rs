//! 社内メモ: internal notes on an inquiry, shown in the thread in their own style (never sent
//! to the customer), and the box to write one.

use leptos::prelude::*;
use shared::ops::{AddInquiryNote, AddInquiryNoteVariables, InquiryNote};

use crate::api;
use crate::components::error::ErrorLine;
use crate::format;

/// One note in the thread: marked 社内メモ, with its author and time.
#[component]
pub fn NoteItem(note: InquiryNote) -> impl IntoView {
    view! {
        <li class="message internal-note" data-note-id=note.id.to_string()>
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
    let adding = Action::new_local(|vars: &AddInquiryNoteVariables| {
        let vars = vars.clone();
        async move { api::gql::<AddInquiryNote>(vars).await.map(|_| ()) }
    });
    let busy = adding.pending();
    let error = Signal::derive(move || adding.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = adding.value().get() {
            text.set(String::new());
            on_added.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        adding.clear();
        adding.dispatch(AddInquiryNoteVariables { inquiry_id: inquiry_id.get_untracked().into(), body });
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
            <ErrorLine error/>
        </form>
    }
}
