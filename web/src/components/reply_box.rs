//! The reply box: the template picker ([`TemplatePicker`]: a template goes in at the cursor or
//! in place of the text), the text, a live preview, and 送信. The text may hold merge fields; what is sent is
//! `shared::template::render_text` of it for the inquiry's shop — exactly the preview.
//!
//! The reply carries the id of the last message shown (`lastSeenMessageId`): if a newer one
//! arrived meanwhile the server answers `CONFLICT`, the thread reloads and the draft stays.
//! A new message arriving while a draft is open (a colleague's reply, the customer's) is said
//! at once; the next send is then the explicit 「このまま送信」.
//!
//! The draft (text and template) is kept in the browser per inquiry ([`crate::drafts`]),
//! restored when the inquiry is opened again and removed after a successful send.

use leptos::prelude::*;
use shared::Marketplace;
use shared::marketplace::{AttachmentInfo, check_attachments};
use shared::ops::{ReplyInput, ReplyToInquiry, ReplyVariables, Template};
use shared::reply_rules;
use shared::template::{self, ShopProfile};
use shared::template_use;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::template_picker::{Placement, TemplatePicker};
use crate::components::template_preview::TemplatePreview;
use crate::drafts::{self, Draft};
use crate::format;
use crate::session::use_session;

pub const CONFLICT_MESSAGE: &str = "新しいメッセージが届いています。内容を確認してから送信してください";
/// Shown when a message arrived while a draft was open; the send button becomes 「このまま送信」.
pub const COLLISION_MESSAGE: &str =
    "入力中に新しいメッセージが届きました。内容を確認し、このまま送る場合は「このまま送信」を押してください。";

#[component]
pub fn ReplyBox(
    #[prop(into)] inquiry_id: Signal<String>,
    #[prop(into)] profile: Signal<ShopProfile>,
    /// The inquiry's marketplace (what files it takes).
    #[prop(into)]
    marketplace: Signal<Option<Marketplace>>,
    /// The id of the last message on screen.
    #[prop(into)]
    last_message_id: Signal<Option<String>>,
    /// After a reply was stored (re-query the thread and the inbox).
    on_sent: Callback<()>,
    /// After a `CONFLICT` (re-query the thread).
    on_conflict: Callback<()>,
    /// On every change of the text (presence: "typing").
    #[prop(optional)]
    on_typing: Option<Callback<()>>,
) -> impl IntoView {
    let session = use_session();
    let draft_key = Memo::new(move |_| {
        let (tenant, staff) = session.viewer().map(|v| (v.tenant_name, v.id)).unwrap_or_default();
        drafts::key(&tenant, &staff, &inquiry_id.get())
    });
    let saved = draft_key.with_untracked(|k| drafts::load(k)).unwrap_or_default();
    let draft = RwSignal::new(saved.text);
    let template_id = RwSignal::new(saved.template_id);
    let error = RwSignal::new(None::<ApiError>);
    // Sends the reply (with its files: browser objects, so the action lives in local storage);
    // the answer carries the draft's storage key, removed once sent.
    let sending = Action::new_unsync_local(|(input, attached, key): &(ReplyInput, Vec<web_sys::File>, String)| {
        let (vars, attached, key) = (ReplyVariables { input: input.clone() }, attached.clone(), key.clone());
        async move {
            let result = if attached.is_empty() {
                api::gql::<ReplyToInquiry>(vars).await
            } else {
                api::gql_with_files::<ReplyToInquiry>(vars, "input.attachments", &attached).await
            };
            result.map(|_| key)
        }
    });
    let busy = sending.pending();
    let conflict = RwSignal::new(false);
    // A message arrived while the draft was open: the next send is 「このまま送信」.
    let collided = RwSignal::new(false);
    let files = RwSignal::new_local(Vec::<web_sys::File>::new());

    // Kept in the browser on every change (not the files).
    let store_draft = move || {
        let d = Draft { text: draft.get_untracked(), template_id: template_id.get_untracked() };
        draft_key.with_untracked(|k| drafts::save(k, &d));
    };
    // Another inquiry shown in the same box: its own draft, nothing of this one.
    Effect::watch(
        move || draft_key.get(),
        move |key, _, _| {
            let saved = drafts::load(key).unwrap_or_default();
            draft.set(saved.text);
            template_id.set(saved.template_id);
            files.set(Vec::new());
            collided.set(false);
            conflict.set(false);
            error.set(None);
        },
        false,
    );
    // Leaving the page with unsent text asks first.
    let unsent = drafts::use_unsent();
    let registered = StoredValue::new(String::new());
    Effect::new(move |_| {
        let id = inquiry_id.get();
        let has_text = draft.with(|d| !d.trim().is_empty());
        let before = registered.get_value();
        if before != id {
            unsent.set(&before, false);
            registered.set_value(id.clone());
        }
        unsent.set(&id, has_text);
    });
    on_cleanup(move || {
        if let Some(id) = registered.try_get_value() {
            unsent.set(&id, false);
        }
    });
    // A new last message on the same inquiry while a draft is open (not our own send).
    Effect::watch(
        move || (inquiry_id.get(), last_message_id.get()),
        move |(id, last), previous, _| {
            let Some((previous_id, Some(previous_last))) = previous else { return };
            if previous_id == id
                && last.as_ref() != Some(previous_last)
                && !busy.get_untracked()
                && draft.with_untracked(|d| !d.trim().is_empty())
            {
                collided.set(true);
            }
        },
        false,
    );

    // Files are checked against the marketplace's limits before anything is sent.
    let attachment_error = Memo::new(move |_| {
        let marketplace = marketplace.get()?;
        files.with(|fs| {
            let meta: Vec<(String, String, u64)> = fs.iter().map(|f| (f.name(), f.type_(), f.size() as u64)).collect();
            let infos: Vec<AttachmentInfo> = meta
                .iter()
                .map(|(name, kind, size)| AttachmentInfo { file_name: name, content_type: kind, size: *size })
                .collect();
            check_attachments(marketplace, &infos).err().map(|e| e.to_string())
        })
    });
    let accept = move || {
        let limits = marketplace.get()?.capabilities().attachments?;
        Some(limits.extensions.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(","))
    };
    let takes_files = move || marketplace.get().is_some_and(|m| m.capabilities().attachments.is_some());
    let add_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        if let Some(list) = input.files() {
            let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            files.update(|fs| fs.extend(chosen));
        }
        // The same file can be chosen again after removing it.
        input.set_value("");
    };

    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let use_template = Callback::new(move |(chosen, placement): (Template, Placement)| {
        match placement {
            Placement::ReplaceAll => draft.set(chosen.body),
            Placement::AtCursor => {
                let end = draft.with_untracked(|d| d.encode_utf16().count() as u32);
                let (start, stop) = textarea
                    .get_untracked()
                    .map(|el| {
                        let start = el.selection_start().ok().flatten().unwrap_or(end);
                        (start, el.selection_end().ok().flatten().unwrap_or(start))
                    })
                    .unwrap_or((end, end));
                let (text, cursor) = draft.with_untracked(|d| template_use::insert_at(d, &chosen.body, start, stop));
                draft.set(text);
                // Once the box shows the new text: the cursor right after what went in.
                request_animation_frame(move || {
                    if let Some(el) = textarea.get_untracked() {
                        let _ = el.focus();
                        let _ = el.set_selection_range(cursor, cursor);
                    }
                });
            }
        }
        template_id.set(Some(chosen.id.into()));
        store_draft();
    });

    let rendered_is_empty =
        Memo::new(move |_| profile.with(|p| draft.with(|d| template::render_text(d, p).trim().is_empty())));
    // What the marketplace would refuse in the text, known while typing (the server checks the same).
    let body_problems = Memo::new(move |_| {
        let Some(m) = marketplace.get() else { return Vec::new() };
        let text = profile.with(|p| draft.with(|d| template::render_text(d, p)));
        reply_rules::check_body(m, text.trim_end())
            .into_iter()
            .filter(|p| *p != reply_rules::BodyProblem::Empty)
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    });

    let send = move |_| {
        if busy.get_untracked()
            || rendered_is_empty.get_untracked()
            || attachment_error.get_untracked().is_some()
            || !body_problems.with_untracked(Vec::is_empty)
        {
            return;
        }
        let attached = files.get_untracked();
        let input = ReplyInput {
            inquiry_id: inquiry_id.get_untracked().into(),
            body: profile.with_untracked(|p| draft.with_untracked(|d| template::render_text(d, p))),
            template_id: template_id.get_untracked().map(Into::into),
            last_seen_message_id: last_message_id.get_untracked().map(Into::into),
        };
        let key = draft_key.get_untracked();
        error.set(None);
        conflict.set(false);
        sending.clear();
        sending.dispatch_local((input, attached, key));
    };
    Effect::new(move |_| match sending.value().get() {
        Some(Ok(key)) => {
            drafts::remove(&key);
            collided.set(false);
            draft.set(String::new());
            files.set(Vec::new());
            template_id.set(None);
            on_sent.run(());
        }
        Some(Err(e)) if e.is("CONFLICT") => {
            // The draft stays; the thread reloads and the next send is explicit.
            conflict.set(true);
            collided.set(true);
            on_conflict.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });

    view! {
        <section class="reply card">
            <h2>"返信"</h2>
            <TemplatePicker profile on_use=use_template/>
            <textarea
                node_ref=textarea
                rows="8"
                aria-label="返信本文"
                placeholder="お客様への返信を入力してください"
                prop:value=move || draft.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    store_draft();
                    if let Some(cb) = on_typing {
                        cb.run(());
                    }
                }
            ></textarea>
            <TemplatePreview body=draft profile/>
            <ul class="body-problems">
                {move || {
                    body_problems
                        .get()
                        .into_iter()
                        .map(|p| view! { <li class="field-error" role="alert">{p}</li> })
                        .collect_view()
                }}
            </ul>
            <Show when=takes_files>
                <div class="attach">
                    <label class="button small">
                        "ファイルを添付"
                        <input type="file" multiple accept=accept on:change=add_files hidden/>
                    </label>
                    <ul class="attachments">
                        {move || {
                            files
                                .get()
                                .into_iter()
                                .enumerate()
                                .map(|(i, f)| {
                                    let label = format!("{}（{}）", f.name(), format::file_size(f.size() as i64));
                                    view! {
                                        <li>
                                            {label}
                                            <button
                                                type="button"
                                                class="link"
                                                title="添付をやめる"
                                                on:click=move |_| {
                                                    files
                                                        .update(|fs| {
                                                            if i < fs.len() {
                                                                fs.remove(i);
                                                            }
                                                        })
                                                }
                                            >
                                                "×"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </div>
                {move || attachment_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </Show>
            <Show when=move || collided.get()>
                <p class="notice collision" role="alert">
                    {move || if conflict.get() { CONFLICT_MESSAGE } else { COLLISION_MESSAGE }}
                </p>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            <div class="reply-actions">
                <button class="primary" on:click=send disabled=move || {
                    busy.get() || rendered_is_empty.get() || attachment_error.get().is_some() || !body_problems.with(Vec::is_empty)
                }>
                    {move || {
                        if busy.get() {
                            "送信中…"
                        } else if collided.get() {
                            "このまま送信"
                        } else {
                            "送信"
                        }
                    }}
                </button>
            </div>
        </section>
    }
}
