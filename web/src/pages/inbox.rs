//! お問い合わせ管理: the live inbox. Status tabs (the 返信が必要 tab shows its count), filters
//! by shop, marketplace (モール), text and period (期間, on the inquiry's creation time, days
//! in Japan time) and cursor paging, all kept in the URL so reload and "back" return to the
//! same view. The list re-queries with the same filters whenever a live event arrives or the
//! live connection comes back, so an inquiry that does not match the filters never shows up.
//!
//! Attention: unread rows (未読 for the viewer) are bold with a 「未読」 for screen readers; who
//! is viewing or typing on an inquiry shows in its row; while the mouse is over the list, rows
//! that arrive wait behind a 「新着 N件」 pill (the rows under the pointer do not move) until the
//! pill is clicked or the mouse leaves the list.
//!
//! Keyboard: j/k (↓/↑) select the next/previous row, Enter opens the selected row, `/` goes
//! to the search box; on an inquiry, r goes to the reply box and Esc back here.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::ops::{Inquiries, InquiriesVariables, InquiryFilter, InquirySummary, ShopInfo, Shops};
use shared::{InquirySort, InquiryStatus, Marketplace, PresenceState};

use crate::api;
use crate::attention::{InboxPresence, NotifyToggle};
use crate::components::assignee::waiting_label;
use crate::components::badges::{FailedReplyMark, InquiryStatusBadge, MarketplaceBadge};
use crate::components::enum_select::EnumSelect;
use crate::components::pager::{Cursor, Pager};
use crate::format::{self, url_encode};
use crate::live::use_live;
use crate::session::use_session;

const PAGE_SIZE: i32 = 20;

/// Where staff were in the inbox, kept by the signed-in shell while they open inquiries:
/// the view last shown (with its filters), where Esc on an inquiry returns to, and the row
/// last selected, so coming back keeps the place.
#[derive(Clone, Copy)]
pub struct InboxPlace {
    href: StoredValue<String>,
    selected: StoredValue<Option<String>>,
}

impl InboxPlace {
    /// Creates the place and provides it to everything below.
    pub fn provide() -> Self {
        let place = InboxPlace { href: StoredValue::new("/".to_string()), selected: StoredValue::new(None) };
        provide_context(place);
        place
    }

    /// The address of the inbox as staff last saw it.
    pub fn href(self) -> String {
        self.href.try_get_value().unwrap_or_else(|| "/".to_string())
    }
}

/// The shell's inbox place (a place of its own for a page mounted alone).
pub fn use_inbox_place() -> InboxPlace {
    use_context::<InboxPlace>().unwrap_or_else(InboxPlace::provide)
}

/// The id of a row element (`data-id`).
fn row_id(row: &web_sys::HtmlElement) -> Option<String> {
    row.get_attribute("data-id")
}

/// j/k or ↓/↑ move the selection through the rows (and the focus with it), Enter opens the
/// selected (or first) row, `/` focuses the search box.
fn inbox_keys(selected: RwSignal<Option<String>>) {
    crate::keys::on_page_keys(move |ev| {
        let step: i32 = match ev.key().as_str() {
            "j" | "ArrowDown" => 1,
            "k" | "ArrowUp" => -1,
            "Enter" => {
                // A focused link or button handles Enter itself.
                if crate::keys::focus_is_interactive() {
                    return;
                }
                let rows = crate::keys::all("a.inquiry-row");
                let wanted = selected.get_untracked();
                let row = rows.iter().find(|r| wanted.is_some() && row_id(r) == wanted).or_else(|| rows.first());
                if let Some(row) = row {
                    ev.prevent_default();
                    row.click();
                }
                return;
            }
            "/" => {
                if let Some(search) = crate::keys::all(".inbox .search input").into_iter().next() {
                    ev.prevent_default();
                    let _ = search.focus();
                }
                return;
            }
            _ => return,
        };
        let rows = crate::keys::all("a.inquiry-row");
        if rows.is_empty() {
            return;
        }
        ev.prevent_default();
        // From the selected row; else from the focused one; else from the top or the bottom.
        let wanted = selected.get_untracked();
        let active = document().active_element();
        let at = rows.iter().position(|r| wanted.is_some() && row_id(r) == wanted).or_else(|| {
            rows.iter().position(|r| active.as_ref().is_some_and(|a| a == r.as_ref() as &web_sys::Element))
        });
        let next = match at {
            None if step > 0 => 0,
            None => rows.len() - 1,
            Some(i) => (i as i32 + step).clamp(0, rows.len() as i32 - 1) as usize,
        };
        selected.set(row_id(&rows[next]));
        let _ = rows[next].focus();
    });
}

/// The status tabs; `None` is 「すべて」 (where a search goes: it spans every status).
const TABS: [Option<InquiryStatus>; 4] =
    [Some(InquiryStatus::NeedsReply), Some(InquiryStatus::Replied), Some(InquiryStatus::Completed), None];

/// What the inbox shows; lives in the URL
/// (`?status=…&shop=…&mall=…&q=…&from=YYYY-MM-DD&to=YYYY-MM-DD&after=…`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct InboxView {
    /// `None`: every status (`status=ALL`).
    status: Option<InquiryStatus>,
    shop: Option<String>,
    marketplace: Option<Marketplace>,
    search: Option<String>,
    /// First day of the period (an `<input type=date>` value), from 00:00 JST.
    from: Option<String>,
    /// Last day of the period, up to 23:59:59.999 JST.
    to: Option<String>,
    /// 「自分の担当」: only the viewer's inquiries (`mine=1`).
    mine: bool,
    /// 並び順 (`sort=OLDEST_WAITING`); none: newest activity first.
    sort: Option<InquirySort>,
    cursor: Cursor,
}

impl InboxView {
    fn href(&self) -> String {
        let mut url = format!("/?status={}", self.status.map_or("ALL", |s| s.as_str()));
        let mut param = |key: &str, value: &Option<String>| {
            if let Some(v) = value {
                url.push_str(&format!("&{key}={}", url_encode(v)));
            }
        };
        param("shop", &self.shop);
        param("mall", &self.marketplace.map(|m| m.as_str().to_string()));
        param("q", &self.search);
        param("from", &self.from);
        param("to", &self.to);
        param("mine", &self.mine.then(|| "1".to_string()));
        param("sort", &self.sort.map(|s| s.as_str().to_string()));
        url.push_str(&self.cursor.to_param());
        url
    }

    /// The API filter for this view; `me` is the viewer's staff id (for 「自分の担当」).
    fn filter(&self, me: Option<shared::ops::Id>) -> InquiryFilter {
        InquiryFilter {
            status: self.status,
            shop_id: self.shop.clone().map(Into::into),
            marketplace: self.marketplace,
            search: self.search.clone(),
            from: self.from.as_deref().and_then(|d| format::parse_day(d, false)),
            to: self.to.as_deref().and_then(|d| format::parse_day(d, true)),
            assignee_id: if self.mine { me } else { None },
            ..InquiryFilter::default()
        }
    }

    /// Whether any filter besides the status tab is set.
    fn filtered(&self) -> bool {
        self.shop.is_some()
            || self.marketplace.is_some()
            || self.search.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.mine
    }

    /// The same tab with no other filter, on its first page.
    fn cleared(&self) -> InboxView {
        InboxView {
            status: self.status,
            shop: None,
            marketplace: None,
            search: None,
            from: None,
            to: None,
            mine: false,
            sort: self.sort,
            cursor: Cursor::First,
        }
    }
}

/// A date parameter, if it is a real `YYYY-MM-DD` day.
fn day_param(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| format::parse_day(v, false).is_some())
}

/// The marketplaces to offer in モール: those the tenant has shops on (all of them until the
/// shops are known), plus the one chosen in the URL.
fn marketplace_options(shops: Option<&[ShopInfo]>, chosen: Option<Marketplace>) -> Vec<Marketplace> {
    Marketplace::ALL
        .iter()
        .copied()
        .filter(|m| shops.is_none_or(|shops| shops.iter().any(|s| s.marketplace == *m)) || chosen == Some(*m))
        .collect()
}

/// What the list area shows (rows are rendered separately, keyed, so a live re-query keeps the
/// rows that did not change, and their focus).
#[derive(Clone, Debug, PartialEq, Eq)]
enum ListState {
    Loading,
    Failed(String),
    Empty,
    Rows,
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let live = use_live();
    let api_option = use_session().viewer().is_none_or(|v| v.api_option);
    let query = use_query_map();
    let navigate = use_navigate();
    let current = Memo::new(move |_| {
        query.with(|q| {
            let non_empty = |key: &str| q.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
            InboxView {
                status: match q.get("status").as_deref() {
                    Some("ALL") => None,
                    other => Some(other.and_then(InquiryStatus::parse).unwrap_or(InquiryStatus::NeedsReply)),
                },
                shop: non_empty("shop"),
                marketplace: q.get("mall").and_then(|m| Marketplace::parse(m.trim())),
                search: non_empty("q"),
                from: day_param(q.get("from")),
                to: day_param(q.get("to")),
                mine: q.get("mine").is_some_and(|v| v == "1"),
                sort: q.get("sort").and_then(|s| InquirySort::parse(s.trim())),
                cursor: Cursor::from_params(q.get("after"), q.get("before")),
            }
        })
    });
    let place = use_inbox_place();
    Effect::new(move |_| {
        let href = current.get().href();
        place.href.try_set_value(href);
    });
    let selected = RwSignal::new(place.selected.try_get_value().flatten());
    Effect::new(move |_| {
        let id = selected.get();
        place.selected.try_set_value(id);
    });
    inbox_keys(selected);
    let go = {
        let navigate = navigate.clone();
        move |view: InboxView| navigate(&view.href(), NavigateOptions::default())
    };

    let shops = LocalResource::new(|| async { api::gql::<Shops>(()).await.map(|d| d.shops) });
    let known_shops = move || shops.get().and_then(|r| r.ok());
    let me = use_session().viewer().map(|v| v.id);
    let list = LocalResource::new(move || {
        let view = current.get();
        live.inbox_version.track();
        let vars = InquiriesVariables {
            filter: Some(view.filter(me.clone())),
            sort: view.sort,
            excerpt_of: view.search.clone(),
            ..InquiriesVariables::default()
        }
        .with_page(view.cursor.page(PAGE_SIZE));
        async move { api::gql::<Inquiries>(vars).await.map(|d| d.inquiries) }
    });

    // The search box follows the URL (back/forward), and is typed into freely in between.
    let search_text = RwSignal::new(current.get_untracked().search.unwrap_or_default());
    Effect::watch(
        move || current.get().search,
        move |search, _, _| search_text.set(search.clone().unwrap_or_default()),
        false,
    );
    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = search_text.get_untracked().trim().to_string();
            let view = current.get_untracked();
            // A search spans every status (a completed inquiry about the order number too).
            let status = if text.is_empty() { view.status } else { None };
            go(InboxView { search: (!text.is_empty()).then_some(text), status, cursor: Cursor::First, ..view });
        }
    };
    let on_shop = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let shop = event_target_value(&ev);
            go(InboxView {
                shop: (!shop.is_empty()).then_some(shop),
                cursor: Cursor::First,
                ..current.get_untracked()
            });
        }
    };
    let on_marketplace = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let marketplace = Marketplace::parse(&event_target_value(&ev));
            let view = current.get_untracked();
            // A shop on another marketplace would leave the list empty: drop it.
            let shop = view.shop.clone().filter(|id| {
                marketplace.is_none_or(|m| {
                    known_shops().is_none_or(|shops| shops.iter().any(|s| &s.id == id && s.marketplace == m))
                })
            });
            go(InboxView { marketplace, shop, cursor: Cursor::First, ..view });
        }
    };
    let on_from = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let from = day_param(Some(event_target_value(&ev)));
            go(InboxView { from, cursor: Cursor::First, ..current.get_untracked() });
        }
    };
    let on_to = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let to = day_param(Some(event_target_value(&ev)));
            go(InboxView { to, cursor: Cursor::First, ..current.get_untracked() });
        }
    };
    let on_mine = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let mine = event_target_checked(&ev);
            go(InboxView { mine, cursor: Cursor::First, ..current.get_untracked() });
        }
    };
    let on_sort = {
        let go = go.clone();
        Callback::new(move |sort: Option<InquirySort>| {
            let sort = sort.filter(|s| *s != InquirySort::NewestActivity);
            go(InboxView { sort, cursor: Cursor::First, ..current.get_untracked() });
        })
    };
    let on_clear = {
        let go = go.clone();
        move |_| {
            search_text.set(String::new());
            go(current.get_untracked().cleared());
        }
    };
    let on_page = Callback::new({
        let go = go.clone();
        move |cursor: Cursor| go(InboxView { cursor, ..current.get_untracked() })
    });
    let period_reversed = move || {
        let view = current.get();
        matches!((view.from, view.to), (Some(from), Some(to)) if from > to)
    };

    // The count on the 返信が必要 tab: for the chosen shop and/or marketplace, or in total.
    let needs_reply = move || {
        let counts = live.counts.get()?;
        let view = current.get();
        if view.shop.is_none() && view.marketplace.is_none() {
            return Some(counts.needs_reply);
        }
        Some(
            counts
                .by_shop
                .iter()
                .filter(|c| view.shop.as_ref().is_none_or(|s| &c.shop.id == s))
                .filter(|c| view.marketplace.is_none_or(|m| c.shop.marketplace == m))
                .map(|c| c.needs_reply)
                .sum(),
        )
    };

    let tabs = TABS
        .into_iter()
        .map(|status| {
            let href = move || InboxView { status, cursor: Cursor::First, ..current.get() }.href();
            let count = move || (status == Some(InquiryStatus::NeedsReply)).then(needs_reply).flatten();
            view! {
                <A href=href attr:class=move || if current.get().status == status { "tab active" } else { "tab" }>
                    {status.map_or("すべて", |s| s.label_ja())}
                    {move || count().map(|n| view! { <span class="count">{n}</span> })}
                </A>
            }
        })
        .collect_view();

    let page_info = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.page_info));
    let total = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.total_count));
    let state = Memo::new(move |_| match list.get() {
        None => ListState::Loading,
        Some(Err(e)) => ListState::Failed(e.to_string()),
        Some(Ok(conn)) if conn.nodes.is_empty() => ListState::Empty,
        Some(Ok(_)) => ListState::Rows,
    });
    let fresh = Memo::new(move |_| list.get().and_then(|r| r.ok()).map(|c| c.nodes).unwrap_or_default());
    // The rows as they were when the mouse moved over the list, while it stays there (a
    // pointer that never moved there, e.g. where a click left it before the page changed, holds
    // nothing).
    let held = RwSignal::new(None::<Vec<InquirySummary>>);
    Effect::watch(move || current.get(), move |_, _, _| held.set(None), false);
    let rows = Memo::new(move |_| {
        let fresh = fresh.get();
        held.with(|held| match held {
            None => fresh,
            // The same rows in the same places, each as it is now (or as it was, if it left).
            Some(held) => held
                .iter()
                .map(|old| fresh.iter().find(|f| f.id == old.id).cloned().unwrap_or_else(|| old.clone()))
                .collect(),
        })
    });
    let waiting_rows = Memo::new(move |_| {
        held.with(|held| {
            held.as_ref().map_or(0, |held| {
                fresh.with(|fresh| fresh.iter().filter(|f| !held.iter().any(|h| h.id == f.id)).count())
            })
        })
    });
    let hold = move |_: leptos::ev::MouseEvent| {
        if held.with_untracked(Option::is_none) {
            held.set(Some(fresh.get_untracked()));
        }
    };
    let release = move |_: leptos::ev::MouseEvent| held.set(None);
    // Shows the new rows and keeps holding (the mouse is still over the list).
    let show_new = move |_: leptos::ev::MouseEvent| held.set(Some(fresh.get_untracked()));
    let presence = InboxPresence::start(use_session().viewer().map(|v| v.name).unwrap_or_default());

    let shop_options = move || {
        let chosen_shop = current.get().shop;
        let marketplace = current.get().marketplace;
        known_shops()
            .unwrap_or_default()
            .into_iter()
            .filter(|shop| {
                marketplace.is_none_or(|m| shop.marketplace == m) || chosen_shop.as_deref() == Some(shop.id.as_str())
            })
            .map(|shop| {
                let selected = chosen_shop.as_deref() == Some(shop.id.as_str());
                // 返信が必要 of this shop, next to its name.
                let waiting = live
                    .counts
                    .get()
                    .and_then(|c| c.by_shop.iter().find(|b| b.shop.id == shop.id).map(|b| b.needs_reply))
                    .filter(|n| *n > 0)
                    .map(|n| format!(" {n}件"))
                    .unwrap_or_default();
                view! {
                    <option value=shop.id.to_string() selected=selected>
                        {format!("{}（{}）{waiting}", shop.name, shop.marketplace.label_ja())}
                    </option>
                }
            })
            .collect_view()
    };
    let mall_options = move || {
        let chosen = current.get().marketplace;
        let shops = known_shops();
        marketplace_options(shops.as_deref(), chosen)
            .into_iter()
            .map(|m| {
                view! {
                    <option value=m.as_str() selected=chosen == Some(m)>
                        {m.label_ja()}
                    </option>
                }
            })
            .collect_view()
    };

    view! {
        <section class="inbox">
            <div class="page-head">
                <h1>"お問い合わせ管理"</h1>
                <NotifyToggle/>
            </div>
            {(!api_option)
                .then(|| {
                    view! {
                        <p class="notice">
                            "お問い合わせ管理はAPIオプションを契約している店舗様が対象となります。"
                        </p>
                    }
                })}
            <nav class="tabs" aria-label="ステータス">{tabs}</nav>
            {move || {
                live.counts
                    .get()
                    .filter(|c| c.failed_deliveries > 0)
                    .map(|c| {
                        view! {
                            <p class="error failed-deliveries" role="status">
                                {format!(
                                    "送信に失敗した返信が {}件 あります。お客様に届いていません（返信が必要 に含まれています）。",
                                    c.failed_deliveries,
                                )}
                            </p>
                        }
                    })
            }}
            <p class="key-help muted">
                <kbd>"j"</kbd>"/"<kbd>"k"</kbd>"・"<kbd>"↓"</kbd>"/"<kbd>"↑"</kbd>" で選択、"<kbd>"Enter"</kbd>" で開く、"
                <kbd>"/"</kbd>" で検索、お問い合わせ画面で "<kbd>"r"</kbd>" で返信欄へ、"<kbd>"Esc"</kbd>
                " で一覧へ戻ります。"
            </p>
            <div class="filters inbox-filters" role="group" aria-label="絞り込み">
                <select
                    name="mall"
                    aria-label="モール"
                    on:change=on_marketplace
                    prop:value=move || current.get().marketplace.map(|m| m.as_str()).unwrap_or_default()
                >
                    <option value="">"すべてのモール"</option>
                    {mall_options}
                </select>
                <select
                    name="shop"
                    aria-label="店舗"
                    on:change=on_shop
                    prop:value=move || current.get().shop.unwrap_or_default()
                >
                    <option value="">"すべての店舗"</option>
                    {shop_options}
                </select>
                <form class="search" on:submit=on_search role="search">
                    <input
                        type="search"
                        name="q"
                        aria-label="検索"
                        placeholder="お客様名・受注番号・本文で検索"
                        prop:value=move || search_text.get()
                        on:input=move |ev| search_text.set(event_target_value(&ev))
                    />
                    <button type="submit">"検索"</button>
                </form>
                <div class="period" role="group" aria-label="期間">
                    <span class="period-label">"期間"</span>
                    <input
                        type="date"
                        name="from"
                        aria-label="期間（開始日）"
                        prop:value=move || current.get().from.unwrap_or_default()
                        prop:max=move || current.get().to.unwrap_or_default()
                        on:change=on_from
                    />
                    <span aria-hidden="true">"〜"</span>
                    <input
                        type="date"
                        name="to"
                        aria-label="期間（終了日）"
                        prop:value=move || current.get().to.unwrap_or_default()
                        prop:min=move || current.get().from.unwrap_or_default()
                        on:change=on_to
                    />
                </div>
                <label class="mine">
                    <input
                        type="checkbox"
                        name="mine"
                        prop:checked=move || current.get().mine
                        on:change=on_mine
                    />
                    "自分の担当"
                </label>
                <EnumSelect
                    name="sort"
                    aria_label="並び順"
                    on_change=on_sort
                    value=Signal::derive(move || Some(current.get().sort.unwrap_or(InquirySort::NewestActivity)))
                />
                <button type="button" class="clear-filters" on:click=on_clear disabled=move || !current.get().filtered()>
                    "条件をクリア"
                </button>
            </div>
            {move || {
                period_reversed()
                    .then(|| {
                        view! { <p class="field-error" role="alert">"期間の開始日が終了日より後になっています。"</p> }
                    })
            }}
            {move || match state.get() {
                ListState::Loading => view! { <p class="loading">"読み込み中…"</p> }.into_any(),
                ListState::Failed(e) => {
                    view! {
                        <p class="error" role="alert">
                            {e}
                            <button class="retry" on:click=move |_| live.retry()>
                                "再試行"
                            </button>
                        </p>
                    }
                        .into_any()
                }
                ListState::Empty => {
                    let text = if current.get_untracked().filtered() {
                        "条件に一致するお問い合わせはありません。"
                    } else {
                        "該当するお問い合わせはありません。"
                    };
                    view! { <p class="empty">{text}</p> }.into_any()
                }
                ListState::Rows => {
                    view! {
                        <div class="inquiry-list-area" on:mousemove=hold on:mouseleave=release>
                        {move || {
                            let n = waiting_rows.get();
                            (n > 0)
                                .then(|| {
                                    view! {
                                        <div class="new-rows-bar">
                                            <button type="button" class="new-rows" on:click=show_new>
                                                {format!("新着 {n}件")}
                                            </button>
                                        </div>
                                    }
                                })
                        }}
                        <ul class="inquiry-list">
                            <For
                                each=move || rows.get()
                                key=move |i| {
                                    (
                                        i.id.clone(),
                                        i.last_message_at,
                                        i.status,
                                        i.customer_name.clone(),
                                        i.order_number.clone(),
                                        i.waiting_since,
                                        i.assignee.as_ref().map(|a| a.id.clone()),
                                        i.unread,
                                        i.reply_failed,
                                        i.excerpt.clone(),
                                        current.with_untracked(|v| v.search.clone()),
                                    )
                                }
                                children=move |i| {
                                    let search = current.with_untracked(|v| v.search.clone());
                                    view! { <InquiryRow inquiry=i selected presence search/> }
                                }
                            />
                        </ul>
                        </div>
                    }
                        .into_any()
                }
            }}
            <Pager page_info total on_page/>
        </section>
    }
}

/// `text` with each occurrence of the search marked.
fn marked(text: &str, search: Option<&str>) -> AnyView {
    let Some(search) = search else { return text.to_owned().into_any() };
    shared::text_search::highlight(text, search)
        .into_iter()
        .map(|(piece, hit)| {
            let piece = piece.to_owned();
            if hit { view! { <mark>{piece}</mark> }.into_any() } else { piece.into_any() }
        })
        .collect_view()
        .into_any()
}

/// One inbox row: marketplace, customer, order number, preview (when searched: the matching
/// message's excerpt, the search marked), time, status.
#[component]
fn InquiryRow(
    inquiry: InquirySummary,
    selected: RwSignal<Option<String>>,
    presence: InboxPresence,
    search: Option<String>,
) -> impl IntoView {
    let search = search.as_deref();
    let href = format!("/inquiries/{}", inquiry.id);
    let customer =
        inquiry.customer_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "（名前なし）".into());
    let time = format::list_time(&inquiry.last_message_at);
    let full_time = format::date_time(&inquiry.last_message_at);
    let needs_reply = inquiry.status == InquiryStatus::NeedsReply;
    let id = inquiry.id.clone();
    let order_number = inquiry.order_number.clone().unwrap_or_default();
    let order_title = order_number.clone();
    let customer_marked = marked(&customer, search);
    let order_marked = marked(&order_number, search);
    let subject = inquiry
        .subject
        .filter(|s| !s.is_empty())
        .map(|s| view! { <span class="subject">{marked(&s, search)}</span> }.into_any());
    let preview = match inquiry.excerpt {
        Some(excerpt) => view! { <span class="preview excerpt">{marked(&excerpt, search)}</span> }.into_any(),
        None => view! { <span class="preview">{inquiry.preview}</span> }.into_any(),
    };
    let is_selected = {
        let id = id.clone();
        move || selected.with(|s| s.as_deref() == Some(id.as_str()))
    };
    let is_selected_too = is_selected.clone();
    let select = {
        let id = id.clone();
        move || {
            if selected.with_untracked(|s| s.as_deref() != Some(id.as_str())) {
                selected.set(Some(id.to_string()));
            }
        }
    };
    let select_too = select.clone();
    let unread = inquiry.unread;
    let others = {
        let id = id.clone();
        move || {
            presence
                .on(&id)
                .into_iter()
                .map(|(name, state)| {
                    let typing = state == PresenceState::Typing;
                    view! {
                        <span class="presence-chip" class:typing=typing>
                            {format!("{name} {}", state.label_ja())}
                        </span>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <li
            class:needs-reply=needs_reply
            class:unread=unread
            on:focusin=move |_| select()
            on:click=move |_| select_too()
        >
            <A
                href=href
                attr:class=move || if is_selected() { "inquiry-row selected" } else { "inquiry-row" }
                attr:aria-current=move || is_selected_too().then_some("true")
                attr:data-id=id.to_string()
            >
                <span class="cell-mall">
                    <MarketplaceBadge marketplace=inquiry.shop.marketplace/>
                    <span class="shop-name">{inquiry.shop.name}</span>
                </span>
                <span class="cell-customer">
                    {unread.then(|| view! { <span class="visually-hidden">"未読 "</span> })}
                    {customer_marked}
                </span>
                <span class="cell-order" title=order_title>{order_marked}</span>
                <span class="cell-preview">{subject} {preview}</span>
                <time class="cell-time" title=full_time>{time}</time>
                <span class="cell-waiting">
                    {inquiry.waiting_since.map(|w| waiting_label(&w, js_sys::Date::now()))}
                </span>
                <span class="cell-assignee">{inquiry.assignee.map(|a| format!("担当: {}", a.name))}</span>
                <span class="cell-presence">{others}</span>
                <span class="cell-status">
                    <InquiryStatusBadge status=inquiry.status/>
                    {inquiry.reply_failed.then(|| view! { <FailedReplyMark/> })}
                </span>
            </A>
        </li>
    }
}
