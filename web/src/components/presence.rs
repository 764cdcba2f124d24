//! Who else has this inquiry open or is writing a reply, live (SPEC §5: two staff must not
//! answer the same inquiry unknowingly).
//!
//! This tab announces itself with `setPresence` (VIEWING on open and every 25 s, TYPING while
//! the reply is being written, LEFT on leaving) and listens to `presenceChanged` for the
//! inquiry. Someone not heard of for 70 s is taken to have gone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::PresenceState;
use shared::ops::{PresenceChangedSub, PresenceChangedVariables, SetPresence, SetPresenceVariables};

use crate::api;
use crate::session::use_session;
use crate::ws;

const HEARTBEAT_MS: f64 = 25_000.0;
const GONE_AFTER_MS: f64 = 70_000.0;
const TYPING_FOR_MS: f64 = 6_000.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn announce(inquiry_id: String, state: PresenceState) {
    spawn_local(async move {
        let _ = api::gql::<SetPresence>(SetPresenceVariables { inquiry_id: inquiry_id.into(), state }).await;
    });
}

/// Shows the others and announces this tab. `typed` moves whenever the reply text changes.
#[component]
pub fn PresenceBar(inquiry_id: String, #[prop(into)] typed: Signal<u64>) -> impl IntoView {
    let me = use_session().viewer().map(|v| v.name).unwrap_or_default();
    // staff name → (state, when heard, ms)
    let others = RwSignal::new(BTreeMap::<String, (PresenceState, f64)>::new());
    let now = RwSignal::new(now_ms());

    let guard = ws::subscribe::<PresenceChangedSub>(
        PresenceChangedVariables { inquiry_id: inquiry_id.clone().into() },
        move |data| {
            let p = data.presence_changed;
            if p.staff_name == me {
                return;
            }
            others.try_update(|o| match p.state {
                PresenceState::Left => {
                    o.remove(&p.staff_name);
                }
                state => {
                    o.insert(p.staff_name, (state, now_ms()));
                }
            });
        },
    );
    // Dropped with this component: the subscription ends.
    let _ = StoredValue::new_local(guard);

    // This tab's own state.
    let last_typed = RwSignal::new(0.0f64);
    let sent = RwSignal::new(PresenceState::Viewing);
    announce(inquiry_id.clone(), PresenceState::Viewing);
    {
        let id = inquiry_id.clone();
        Effect::watch(
            move || typed.get(),
            move |_, _, _| {
                last_typed.set(now_ms());
                if sent.get_untracked() != PresenceState::Typing {
                    sent.set(PresenceState::Typing);
                    announce(id.clone(), PresenceState::Typing);
                }
            },
            false,
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let id = inquiry_id.clone();
        spawn_local(async move {
            let mut last_beat = now_ms();
            while !stop.load(Ordering::Relaxed) {
                TimeoutFuture::new(2_000).await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let t = now_ms();
                now.try_set(t);
                let typing = t - last_typed.get_untracked() < TYPING_FOR_MS;
                let state = if typing { PresenceState::Typing } else { PresenceState::Viewing };
                if state != sent.get_untracked() || t - last_beat > HEARTBEAT_MS {
                    sent.try_set(state);
                    last_beat = t;
                    announce(id.clone(), state);
                }
            }
        });
    }
    on_cleanup(move || {
        stop.store(true, Ordering::Relaxed);
        announce(inquiry_id, PresenceState::Left);
    });

    let present = move || {
        let t = now.get();
        others.with(|o| {
            o.iter()
                .filter(|(_, (_, at))| t - at < GONE_AFTER_MS)
                .map(|(name, (state, _))| (name.clone(), *state))
                .collect::<Vec<_>>()
        })
    };
    move || {
        let list = present();
        (!list.is_empty()).then(|| {
            let someone_typing = list.iter().any(|(_, s)| *s == PresenceState::Typing);
            let chips = list
                .into_iter()
                .map(|(name, state)| {
                    let typing = state == PresenceState::Typing;
                    view! {
                        <span class="presence-chip" class:typing=typing>
                            {format!("{name}（{}）", state.label_ja())}
                        </span>
                    }
                })
                .collect_view();
            view! {
                <div class="presence" class:warn=someone_typing role="status">
                    <span>"ほかの担当者:"</span>
                    {chips}
                    {someone_typing.then(|| view! { <strong>"返信を入力中の担当者がいます。二重返信にご注意ください。"</strong> })}
                </div>
            }
        })
    }
}
