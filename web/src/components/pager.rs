//! 前へ / 次へ over a Relay connection's `pageInfo`.

use leptos::prelude::*;
use shared::ops::PageInfo;

/// Which page to show: the first, the one after a cursor, or the one before a cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cursor {
    #[default]
    First,
    After(String),
    Before(String),
}

impl Cursor {
    pub fn page(&self, size: i32) -> shared::ops::Page {
        match self {
            Cursor::First => shared::ops::Page::first(size),
            Cursor::After(c) => shared::ops::Page::after(size, c.clone()),
            Cursor::Before(c) => shared::ops::Page::before(size, c.clone()),
        }
    }
}

impl Cursor {
    /// From the `after` / `before` URL parameters.
    pub fn from_params(after: Option<String>, before: Option<String>) -> Self {
        match (after.filter(|c| !c.is_empty()), before.filter(|c| !c.is_empty())) {
            (Some(c), _) => Cursor::After(c),
            (None, Some(c)) => Cursor::Before(c),
            (None, None) => Cursor::First,
        }
    }

    /// The URL parameter for this cursor (`&after=…`, `&before=…`, or nothing).
    pub fn to_param(&self) -> String {
        match self {
            Cursor::First => String::new(),
            Cursor::After(c) => format!("&after={}", crate::format::url_encode(c)),
            Cursor::Before(c) => format!("&before={}", crate::format::url_encode(c)),
        }
    }
}

/// 前へ / 次へ and the total. 前へ asks for the page before the first row (`Cursor::Before`),
/// 次へ for the page after the last (`Cursor::After`).
#[component]
pub fn Pager(
    #[prop(into)] page_info: Signal<Option<PageInfo>>,
    #[prop(into)] total: Signal<Option<i32>>,
    /// Called with the page to show.
    on_page: Callback<Cursor>,
    /// Whether there is a page before, when the caller knows better than `hasPreviousPage`
    /// (a list paged forward only keeps the cursors it came by).
    #[prop(optional, into)]
    has_previous: Option<Signal<bool>>,
) -> impl IntoView {
    let has_prev = move || match has_previous {
        Some(known) => known.get(),
        None => page_info.get().is_some_and(|p| p.has_previous_page),
    };
    let has_next = move || page_info.get().is_some_and(|p| p.has_next_page);
    let prev = move |_| {
        if !has_prev() {
            return;
        }
        match page_info.get_untracked().and_then(|p| p.start_cursor) {
            Some(c) => on_page.run(Cursor::Before(c)),
            None if has_previous.is_some() => on_page.run(Cursor::Before(String::new())),
            None => {}
        }
    };
    let next = move |_| {
        if let Some(c) = page_info.get_untracked().and_then(|p| p.end_cursor) {
            on_page.run(Cursor::After(c));
        }
    };
    view! {
        <div class="pager">
            <button on:click=prev disabled=move || !has_prev()>"前へ"</button>
            <span class="total">{move || total.get().map(|n| format!("全{n}件"))}</span>
            <button on:click=next disabled=move || !has_next()>"次へ"</button>
        </div>
    }
}
