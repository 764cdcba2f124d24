//! Who is signed in. The app asks the server (`viewer`) at start and after logging in; any call
//! that finds the session gone turns the app back to the login screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ops::{Viewer, ViewerInfo};

use crate::api::{self, ApiError};

#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    Loading,
    SignedOut,
    SignedIn(ViewerInfo),
    /// The server could not say (down, or an unexpected error).
    Failed(String),
}

/// The coarse phase, so the shell re-renders only when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    SignedOut,
    SignedIn,
    Failed,
}

#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
}

impl Session {
    /// Creates the session, provides it as context, and asks the server who is signed in.
    pub fn provide() -> Self {
        let session = Session { state: RwSignal::new(SessionState::Loading) };
        provide_context(session);
        api::set_unauthenticated_hook(move || {
            session.state.try_set(SessionState::SignedOut);
        });
        session.reload();
        session
    }

    pub fn reload(self) {
        spawn_local(async move {
            let state = match api::gql::<Viewer>(()).await {
                Ok(data) => SessionState::SignedIn(data.viewer),
                Err(ApiError::Unauthenticated) => SessionState::SignedOut,
                Err(e) => SessionState::Failed(e.to_string()),
            };
            self.state.try_set(state);
        });
    }

    pub fn phase(self) -> Memo<Phase> {
        Memo::new(move |_| {
            self.state.with(|s| match s {
                SessionState::Loading => Phase::Loading,
                SessionState::SignedOut => Phase::SignedOut,
                SessionState::SignedIn(_) => Phase::SignedIn,
                SessionState::Failed(_) => Phase::Failed,
            })
        })
    }

    pub fn viewer(self) -> Option<ViewerInfo> {
        self.state.with(|s| match s {
            SessionState::SignedIn(v) => Some(v.clone()),
            _ => None,
        })
    }

    /// Whether the signed-in staff member may change things (not a read-only viewer).
    pub fn can_write(self) -> bool {
        self.state.with(|s| matches!(s, SessionState::SignedIn(v) if v.role != shared::Role::Viewer))
    }

    pub fn logout(self) {
        spawn_local(async move {
            api::logout().await;
            self.state.try_set(SessionState::SignedOut);
        });
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
