//! Attention: what tells staff that something waits while they look elsewhere.
//!
//! - The tab title carries the 返信が必要 count from the live counts (`(12) 返信が必要 — 窓口
//!   Madoguchi`), so a background tab shows it.
//! - Desktop notifications of new inquiries (and new customer messages) are off until a staff
//!   member turns them on with 「デスクトップ通知をオンにする」, which asks the browser's
//!   permission (`Notification.requestPermission()`, never forced); the choice is kept in
//!   `localStorage` per tenant and staff member. One is shown on `inquiryReceived` only while
//!   the page is hidden.
//! - Who is viewing or typing on which inquiry ([`InboxPresence`]), for the inbox rows, from
//!   `presenceChanged` without an inquiry.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::PresenceState;
use shared::ops::InboxPresenceSub;
use wasm_bindgen::JsValue;

use crate::live::Live;
use crate::session::Session;
use crate::ws;

/// The app's own title (web/index.html).
pub const APP_TITLE: &str = "窓口 Madoguchi";

/// The tab title for a 返信が必要 count (none while the counts are not known yet).
pub fn title_for(needs_reply: Option<i64>) -> String {
    match needs_reply {
        Some(n) if n > 0 => format!("({n}) 返信が必要 — {APP_TITLE}"),
        _ => APP_TITLE.to_string(),
    }
}

/// Keeps `document.title` on the live 返信が必要 count.
pub fn title_follows_counts(live: Live) {
    Effect::new(move |_| {
        let title = title_for(live.counts.get().map(|c| i64::from(c.needs_reply)));
        document().set_title(&title);
    });
    on_cleanup(|| document().set_title(APP_TITLE));
}

// ---------------------------------------------------------------------------------------------
// Desktop notifications
// ---------------------------------------------------------------------------------------------

/// Whether the browser has the Notification API at all (an insecure page or an old browser
/// has not).
fn supported() -> bool {
    js_sys::Reflect::has(&window(), &JsValue::from_str("Notification")).unwrap_or(false)
}

fn granted() -> bool {
    supported() && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok()?
}

/// The staff member's choice, kept in this browser.
#[derive(Clone, Copy)]
pub struct Notifications {
    /// Turned on by this staff member (in this browser).
    pub on: RwSignal<bool>,
    /// Why turning on did not work (permission refused, not supported).
    pub problem: RwSignal<Option<&'static str>>,
    key: StoredValue<String>,
}

impl Notifications {
    /// Reads the stored choice and shows a notification for each new inquiry while the page is
    /// hidden. Provided to the shell's pages.
    pub fn provide(live: Live, session: Session) -> Self {
        let key = session
            .viewer()
            .map(|v| format!("madoguchi.notify.{}.{}", v.tenant_name, v.id))
            .unwrap_or_else(|| "madoguchi.notify".into());
        let stored = storage().and_then(|s| s.get_item(&key).ok().flatten()).is_some_and(|v| v == "on");
        let notifications = Notifications {
            on: RwSignal::new(stored && granted()),
            problem: RwSignal::new(None),
            key: StoredValue::new(key),
        };
        provide_context(notifications);
        Effect::watch(
            move || live.last_received.get(),
            move |event, _, _| {
                let Some(event) = event else { return };
                if !notifications.on.get_untracked() || !granted() || !document().hidden() {
                    return;
                }
                let options = web_sys::NotificationOptions::new();
                options.set_body("お問い合わせ管理に新しいお問い合わせがあります。");
                // One notification per inquiry: a second message replaces the first.
                options.set_tag(&format!("inquiry-{}", event.id));
                let _ = web_sys::Notification::new_with_options("新しいお問い合わせ", &options);
            },
            false,
        );
        notifications
    }

    /// 「デスクトップ通知をオンにする」: asks the browser, and keeps the choice when allowed.
    pub fn turn_on(self) {
        self.problem.set(None);
        if !supported() {
            self.problem.set(Some("このブラウザはデスクトップ通知に対応していません。"));
            return;
        }
        spawn_local(async move {
            let answer = match web_sys::Notification::request_permission() {
                Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok(),
                Err(_) => None,
            };
            let allowed = answer.and_then(|a| a.as_string()).is_some_and(|a| a == "granted") || granted();
            if allowed {
                if let Some(s) = storage() {
                    let _ = s.set_item(&self.key.get_value(), "on");
                }
                self.on.try_set(true);
            } else {
                self.problem
                    .try_set(Some("通知が許可されませんでした。ブラウザのサイト設定で通知を許可してください。"));
            }
        });
    }

    pub fn turn_off(self) {
        if let Some(s) = storage() {
            let _ = s.remove_item(&self.key.get_value());
        }
        self.problem.set(None);
        self.on.set(false);
    }
}

/// The button that turns desktop notifications on or off.
#[component]
pub fn NotifyToggle() -> impl IntoView {
    let Some(n) = use_context::<Notifications>() else {
        return ().into_any();
    };
    view! {
        <div class="notify-toggle">
            {move || {
                if n.on.get() {
                    view! {
                        <button type="button" class="link" on:click=move |_| n.turn_off()>
                            "デスクトップ通知: オン（オフにする）"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button type="button" class="link" on:click=move |_| n.turn_on()>
                            "デスクトップ通知をオンにする"
                        </button>
                    }
                        .into_any()
                }
            }}
            {move || n.problem.get().map(|p| view! { <span class="muted">{p}</span> })}
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Presence on the inbox rows
// ---------------------------------------------------------------------------------------------

/// Someone not heard of for this long is taken to have gone (the inquiry page repeats its
/// presence every 25 s).
const GONE_AFTER_MS: f64 = 70_000.0;

/// Staff name → (state, when heard in ms), on one inquiry.
type OnInquiry = BTreeMap<String, (PresenceState, f64)>;

/// Who is viewing or typing on each inquiry (others than the viewer), heard while the inbox is
/// shown.
#[derive(Clone, Copy)]
pub struct InboxPresence {
    /// inquiry id → who is on it.
    heard: RwSignal<HashMap<String, OnInquiry>>,
    now: RwSignal<f64>,
}

impl InboxPresence {
    /// Subscribes for as long as the calling component lives.
    pub fn start(me: String) -> Self {
        let presence = InboxPresence { heard: RwSignal::new(HashMap::new()), now: RwSignal::new(js_sys::Date::now()) };
        let guard = ws::subscribe::<InboxPresenceSub>((), move |data| {
            let p = data.presence_changed;
            if p.staff_name == me {
                return;
            }
            presence.now.try_set(js_sys::Date::now());
            presence.heard.try_update(|h| {
                let on = h.entry(p.inquiry_id.into()).or_default();
                match p.state {
                    PresenceState::Left => {
                        on.remove(&p.staff_name);
                    }
                    state => {
                        on.insert(p.staff_name, (state, js_sys::Date::now()));
                    }
                }
            });
        });
        // Dropped with the component: the subscription ends.
        let _ = StoredValue::new_local(guard);
        // Forget who went silent.
        let tick = leptos::prelude::set_interval_with_handle(
            move || {
                presence.now.try_set(js_sys::Date::now());
            },
            std::time::Duration::from_secs(10),
        );
        if let Ok(tick) = tick {
            on_cleanup(move || tick.clear());
        }
        presence
    }

    /// Who is on one inquiry now, by name (typing first).
    pub fn on(self, inquiry_id: &str) -> Vec<(String, PresenceState)> {
        let now = self.now.get();
        let mut list: Vec<(String, PresenceState)> = self.heard.with(|h| {
            h.get(inquiry_id)
                .map(|on| {
                    on.iter()
                        .filter(|(_, (_, at))| now - at < GONE_AFTER_MS)
                        .map(|(name, (state, _))| (name.clone(), *state))
                        .collect()
                })
                .unwrap_or_default()
        });
        list.sort_by_key(|(_, s)| *s != PresenceState::Typing);
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_carries_the_needs_reply_count_only_when_something_waits() {
        assert_eq!(title_for(Some(12)), "(12) 返信が必要 — 窓口 Madoguchi");
        assert_eq!(title_for(Some(0)), "窓口 Madoguchi");
        assert_eq!(title_for(None), "窓口 Madoguchi");
    }
}
