//! Keyboard use: a page registers a handler for as long as it is shown. Keys typed into a
//! field (input, textarea, select, editable text) and keys with Ctrl/Alt/Meta never reach the
//! handlers, except Escape, which leaves the field.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// Whether the event comes from a field staff are typing into.
pub fn from_field(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else { return false };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

/// Calls `handler` for keys pressed outside fields until the calling component is cleaned up.
/// Escape inside a field takes the focus out of it.
pub fn on_page_keys(handler: impl Fn(&KeyboardEvent) + 'static) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.default_prevented() || ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.is_composing() {
            return;
        }
        if from_field(&ev) {
            if ev.key() == "Escape"
                && let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.blur();
            }
            return;
        }
        handler(&ev);
    });
    on_cleanup(move || handle.remove());
}

/// The elements matching `css`, in document order.
pub fn all(css: &str) -> Vec<web_sys::HtmlElement> {
    let Some(list) = document().query_selector_all(css).ok() else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect()
}

/// Whether the focus is on an element that handles Enter itself (a link, a button, a field).
pub fn focus_is_interactive() -> bool {
    document().active_element().is_some_and(|el| {
        matches!(el.tag_name().as_str(), "A" | "BUTTON" | "INPUT" | "TEXTAREA" | "SELECT" | "SUMMARY")
    })
}
