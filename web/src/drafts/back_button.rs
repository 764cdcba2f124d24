//! The browser's back button while a reply is unsent.
//!
//! The router leaves a page on `popstate`, after the browser has already moved, so nothing can
//! ask first. While a draft is unsent an extra history entry with the same address is therefore
//! kept on top of the page's own (the guard). Back then only takes the guard away — same
//! address, the page stays — and the question is asked: leaving goes back once more, staying
//! puts the guard back. When the draft is sent or emptied on the page, the guard is taken away
//! again, so Back is never pressed for nothing. Forward needs nothing: an entry pushed on top
//! leaves no forward entries.
//!
//! The guard is only pushed when the browser's address is the router's (never in the middle of
//! a navigation, when it would carry the page being left).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{LEAVE_QUESTION, Unsent};

/// Where the guard stands.
#[derive(Default)]
pub(super) struct Guard {
    /// The address the guard was pushed for, while it is on top.
    on_top_at: Option<String>,
    /// We went back ourselves to take the guard away: that `popstate` asks nothing.
    removing: bool,
}

/// Marks the guard's history entry (read by nobody but a person debugging).
fn guard_state() -> JsValue {
    let state = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&state, &"madoguchiUnsentReply".into(), &JsValue::TRUE);
    state.into()
}

fn here() -> String {
    window().location().href().unwrap_or_default()
}

/// True when the browser shows the address the router has settled on.
fn settled(route: Memo<String>) -> bool {
    let path = window().location().pathname().unwrap_or_default();
    route.try_get_untracked().is_some_and(|p| p == path)
}

impl Unsent {
    /// Brings the guard in line with the drafts, once the current navigation is over.
    pub(super) fn settle_guard_soon(self) {
        gloo_timers::callback::Timeout::new(0, move || self.settle_guard(0)).forget();
    }

    fn settle_guard(self, attempt: u32) {
        // Only under the signed-in shell, which listens for the guard's `popstate`.
        let Some(Some(route)) = self.route.try_get_value() else { return };
        if !settled(route) {
            if attempt < 50 {
                gloo_timers::callback::Timeout::new(100, move || self.settle_guard(attempt + 1)).forget();
            }
            return;
        }
        let Ok(history) = window().history() else { return };
        let wanted = self.any();
        let on_top = self.guard.try_with_value(|g| g.on_top_at.clone()).flatten();
        match (wanted, on_top) {
            (true, None) => self.push_guard(&history),
            (false, Some(at)) if at == here() => {
                self.guard.update_value(|g| {
                    g.on_top_at = None;
                    g.removing = true;
                });
                let _ = history.back();
            }
            // The page was left another way (a link staff confirmed): the guard stays below.
            (false, Some(_)) => self.guard.update_value(|g| g.on_top_at = None),
            _ => {}
        }
    }

    fn push_guard(self, history: &web_sys::History) {
        let pushed = history.push_state_with_url(&guard_state(), "", None);
        if pushed.is_ok() {
            self.guard.update_value(|g| g.on_top_at = Some(here()));
        }
    }

    /// A `popstate`: if it took the guard away, ask; go on back, or put the guard back.
    pub(super) fn on_history_move(self) {
        let Some((on_top, removing)) = self.guard.try_with_value(|g| (g.on_top_at.clone(), g.removing)) else {
            return;
        };
        if removing {
            self.guard.update_value(|g| g.removing = false);
            return;
        }
        let Some(at) = on_top else { return };
        self.guard.update_value(|g| g.on_top_at = None);
        if here() != at || !self.any() {
            return;
        }
        let Ok(history) = window().history() else { return };
        if window().confirm_with_message(LEAVE_QUESTION).unwrap_or(true) {
            let _ = history.back();
        } else {
            self.push_guard(&history);
        }
    }
}
