//! Reply drafts kept in the browser, and the question before leaving a page with one.
//!
//! A draft (its text and the chosen template) is stored in `localStorage` under
//! `madoguchi.draft.<tenant>.<staff id>.<inquiry id>` on every change, restored when the inquiry
//! is opened again, and removed after a successful send (or when the text is emptied). Files
//! are not stored: they stay attached only while the page lives.
//!
//! While a reply box holds unsent text it is registered here ([`set_unsent`]); leaving the page
//! then asks first — a link inside the app (checked before the router sees the click), Esc on
//! the inquiry page ([`confirm_leave`]) and closing or reloading the tab (`beforeunload`).

use std::cell::RefCell;
use std::collections::BTreeSet;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// What is asked before leaving a page with an unsent draft.
pub const LEAVE_QUESTION: &str =
    "送信していない返信があります。このページを離れますか？（下書きはこのブラウザに保存されています）";

#[derive(Serialize, Deserialize, Debug, Default, Clone, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    #[serde(default)]
    pub template_id: Option<String>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The storage key of one inquiry's draft for the signed-in staff member.
pub fn key(tenant: &str, staff_id: &str, inquiry_id: &str) -> String {
    format!("madoguchi.draft.{tenant}.{staff_id}.{inquiry_id}")
}

pub fn load(key: &str) -> Option<Draft> {
    let raw = storage()?.get_item(key).ok()??;
    serde_json::from_str(&raw).ok()
}

/// Stores the draft; an empty one is removed.
pub fn save(key: &str, draft: &Draft) {
    let Some(storage) = storage() else { return };
    if draft.text.trim().is_empty() {
        let _ = storage.remove_item(key);
    } else if let Ok(json) = serde_json::to_string(draft) {
        let _ = storage.set_item(key, &json);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

thread_local! {
    /// Reply boxes (by inquiry id) that hold text not sent yet.
    static UNSENT: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// Records whether the reply box of `inquiry_id` holds unsent text.
pub fn set_unsent(inquiry_id: &str, unsent: bool) {
    UNSENT.with(|u| {
        let mut u = u.borrow_mut();
        if unsent {
            u.insert(inquiry_id.to_owned());
        } else {
            u.remove(inquiry_id);
        }
    });
}

pub fn any_unsent() -> bool {
    UNSENT.with(|u| !u.borrow().is_empty())
}

/// True when the page may be left: no unsent draft, or staff said so.
pub fn confirm_leave() -> bool {
    !any_unsent() || window().confirm_with_message(LEAVE_QUESTION).unwrap_or(true)
}

/// Installs the question on leaving (once, for the signed-in shell; removed with it).
pub fn guard_leaving() {
    let unload = window_event_listener(leptos::ev::beforeunload, |ev: web_sys::BeforeUnloadEvent| {
        if any_unsent() {
            ev.prevent_default();
            ev.set_return_value(LEAVE_QUESTION);
        }
    });
    // In the capture phase on the window: before the router's own click handling.
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|ev: web_sys::MouseEvent| {
        if !any_unsent() || ev.default_prevented() || ev.button() != 0 {
            return;
        }
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return; // a new tab or window: this page stays
        }
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
        else {
            return;
        };
        if link.get_attribute("target").is_some_and(|t| t == "_blank") || link.has_attribute("download") {
            return;
        }
        let href = link.get_attribute("href").unwrap_or_default();
        let here = window().location().pathname().unwrap_or_default();
        if href.is_empty() || href.starts_with('#') || href == here {
            return;
        }
        if !window().confirm_with_message(LEAVE_QUESTION).unwrap_or(true) {
            ev.prevent_default();
            ev.stop_immediate_propagation();
        }
    });
    let listener = on_click.as_ref().unchecked_ref::<js_sys::Function>().clone();
    let _ = window().add_event_listener_with_callback_and_bool("click", &listener, true);
    on_click.forget();
    on_cleanup(move || {
        unload.remove();
        let _ = window().remove_event_listener_with_callback_and_bool("click", &listener, true);
    });
}
