//! Reply drafts kept in the browser, and the question before leaving a page with one.
//!
//! A draft (its text and the chosen template) is stored in `localStorage` under
//! `madoguchi.draft.<tenant>.<staff id>.<inquiry id>` on every change, restored when the inquiry
//! is opened again, and removed after a successful send (or when the text is emptied). Files
//! are not stored: they stay attached only while the page lives.
//!
//! While a reply box holds unsent text it is registered here ([`Unsent::set`]); leaving the page
//! then asks first — a link inside the app (checked before the router sees the click), ログアウト
//! and Esc on the inquiry page ([`Unsent::confirm_leave`]), and closing or reloading the tab
//! (`beforeunload`), and the browser's back button ([`back_button`]).

mod back_button;

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

/// Reply boxes (by inquiry id) that hold text not sent yet: one set for the signed-in shell,
/// provided as context ([`Unsent::provide`], [`use_unsent`]).
#[derive(Clone, Copy)]
pub struct Unsent {
    boxes: StoredValue<BTreeSet<String>>,
    guard: StoredValue<back_button::Guard>,
    /// The router's path, once [`guard_leaving`] watches the back button.
    route: StoredValue<Option<Memo<String>>>,
}

impl Unsent {
    /// Creates the set and provides it to everything below.
    pub fn provide() -> Self {
        let unsent = Unsent {
            boxes: StoredValue::new(BTreeSet::new()),
            guard: StoredValue::new(Default::default()),
            route: StoredValue::new(None),
        };
        provide_context(unsent);
        unsent
    }

    /// Records whether the reply box of `inquiry_id` holds unsent text.
    pub fn set(self, inquiry_id: &str, unsent: bool) {
        let before = self.any();
        self.boxes.try_update_value(|u| {
            if unsent {
                u.insert(inquiry_id.to_owned());
            } else {
                u.remove(inquiry_id);
            }
        });
        if self.any() != before {
            self.settle_guard_soon();
        }
    }

    pub fn any(self) -> bool {
        self.boxes.try_with_value(|u| !u.is_empty()).unwrap_or(false)
    }

    /// True when the page may be left: no unsent draft, or staff said so.
    pub fn confirm_leave(self) -> bool {
        !self.any() || window().confirm_with_message(LEAVE_QUESTION).unwrap_or(true)
    }
}

/// The shell's set of unsent reply boxes (a set of its own for a piece mounted alone).
pub fn use_unsent() -> Unsent {
    use_context::<Unsent>().unwrap_or_else(Unsent::provide)
}

/// Installs the question on leaving (once, for the signed-in shell; removed with it).
pub fn guard_leaving(unsent: Unsent) {
    unsent.route.set_value(Some(leptos_router::hooks::use_location().pathname));
    let history_moved = window_event_listener(leptos::ev::popstate, move |_| unsent.on_history_move());
    let unload = window_event_listener(leptos::ev::beforeunload, move |ev: web_sys::BeforeUnloadEvent| {
        if unsent.any() {
            ev.prevent_default();
            ev.set_return_value(LEAVE_QUESTION);
        }
    });
    // In the capture phase on the window: before the router's own click handling.
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !unsent.any() || ev.default_prevented() || ev.button() != 0 {
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
        history_moved.remove();
        let _ = window().remove_event_listener_with_callback_and_bool("click", &listener, true);
    });
}
