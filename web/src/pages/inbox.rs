//! お問い合わせ管理: the live inbox. Status tabs (the 返信が必要 tab shows its count), a shop
//! filter, text search and cursor paging, all kept in the URL so "back" returns to the same
//! view. The list re-queries whenever a live event arrives.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::InquiryStatus;
use shared::ops::{Inquiries, InquiriesVariables, InquiryFilter, InquirySummary, NoVariables, Shops};

use crate::api;
use crate::components::badges::{InquiryStatusBadge, MarketplaceBadge};
use crate::components::pager::{Cursor, Pager};
use crate::format::{self, url_encode};
use crate::live::use_live;
use crate::session::use_session;

const PAGE_SIZE: i32 = 20;

thread_local! {
    /// The inbox view last shown (with its filters), where Esc on an inquiry returns to.
    static LAST_INBOX: std::cell::RefCell<String> = std::cell::RefCell::new("/".to_string());
}

/// The address of the inbox as staff last saw it.
pub fn last_inbox_href() -> String {
    LAST_INBOX.with(|h| h.borrow().clone())
}

/// j/k or ↓/↑ move the focus through the rows, Enter opens the focused (or first) row.
fn inbox_keys() {
    crate::keys::on_page_keys(|ev| {
        let key = ev.key();
        let step: i32 = match key.as_str() {
            "j" | "ArrowDown" => 1,
            "k" | "ArrowUp" => -1,
            "Enter" => {
                if !crate::keys::focus_is_interactive()
                    && let Some(first) = crate::keys::all("a.inquiry-row").into_iter().next()
                {
                    ev.prevent_default();
                    first.click();
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
        let active = document().active_element();
        let at = rows.iter().position(|r| active.as_ref().is_some_and(|a| a == r.as_ref() as &web_sys::Element));
        let next = match at {
            None if step > 0 => 0,
            None => rows.len() - 1,
            Some(i) => (i as i32 + step).clamp(0, rows.len() as i32 - 1) as usize,
        };
        let _ = rows[next].focus();
    });
}

const TABS: [InquiryStatus; 3] = [InquiryStatus::NeedsReply, InquiryStatus::Replied, InquiryStatus::Completed];

/// What the inbox shows; lives in the URL (`?status=…&shop=…&q=…&after=…`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct InboxView {
    status: InquiryStatus,
    shop: Option<String>,
    search: Option<String>,
    cursor: Cursor,
}

impl InboxView {
    fn href(&self) -> String {
        let mut url = format!("/?status={}", self.status.as_str());
        if let Some(shop) = &self.shop {
            url.push_str(&format!("&shop={}", url_encode(shop)));
        }
        if let Some(q) = &self.search {
            url.push_str(&format!("&q={}", url_encode(q)));
        }
        url.push_str(&self.cursor.to_param());
        url
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let live = use_live();
    let api_option = use_session().viewer().is_none_or(|v| v.api_option);
    let query = use_query_map();
    let navigate = use_navigate();
    let current = Memo::new(move |_| {
        query.with(|q| {
            let non_empty = |key: &str| q.get(key).filter(|v| !v.trim().is_empty());
            InboxView {
                status: q.get("status").and_then(|s| InquiryStatus::parse(&s)).unwrap_or(InquiryStatus::NeedsReply),
                shop: non_empty("shop"),
                search: non_empty("q"),
                cursor: Cursor::from_params(q.get("after"), q.get("before")),
            }
        })
    });
    Effect::new(move |_| {
        let href = current.get().href();
        LAST_INBOX.with(|h| *h.borrow_mut() = href);
    });
    inbox_keys();
    let go = {
        let navigate = navigate.clone();
        move |view: InboxView| navigate(&view.href(), NavigateOptions::default())
    };

    let shops = LocalResource::new(|| async { api::gql::<Shops>(NoVariables {}).await.map(|d| d.shops) });
    let list = LocalResource::new(move || {
        let view = current.get();
        live.inbox_version.track();
        let vars = InquiriesVariables {
            filter: Some(InquiryFilter {
                status: Some(view.status),
                shop_id: view.shop,
                search: view.search,
                ..InquiryFilter::default()
            }),
            page: view.cursor.page(PAGE_SIZE),
        };
        async move { api::gql::<Inquiries>(vars).await.map(|d| d.inquiries) }
    });

    let search_text = RwSignal::new(current.get_untracked().search.unwrap_or_default());
    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = search_text.get_untracked().trim().to_string();
            go(InboxView {
                search: (!text.is_empty()).then_some(text),
                cursor: Cursor::First,
                ..current.get_untracked()
            });
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
    let on_page = Callback::new({
        let go = go.clone();
        move |cursor: Cursor| go(InboxView { cursor, ..current.get_untracked() })
    });

    // The count on the 返信が必要 tab: for the chosen shop, or in total.
    let needs_reply = move || {
        let counts = live.counts.get()?;
        Some(match current.get().shop {
            Some(shop) => counts.by_shop.iter().find(|c| c.shop.id == shop).map_or(0, |c| c.needs_reply),
            None => counts.needs_reply,
        })
    };

    let tabs = TABS
        .into_iter()
        .map(|status| {
            let href = move || InboxView { status, cursor: Cursor::First, ..current.get() }.href();
            let count = move || (status == InquiryStatus::NeedsReply).then(needs_reply).flatten();
            view! {
                <A href=href attr:class=move || if current.get().status == status { "tab active" } else { "tab" }>
                    {status.label_ja()}
                    {move || count().map(|n| view! { <span class="count">{n}</span> })}
                </A>
            }
        })
        .collect_view();

    let page_info = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.page_info));
    let total = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.total_count));

    view! {
        <section class="inbox">
            <div class="page-head">
                <h1>"お問い合わせ管理"</h1>
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
            <p class="key-help muted">
                <kbd>"j"</kbd>"/"<kbd>"k"</kbd>"・"<kbd>"↓"</kbd>"/"<kbd>"↑"</kbd>" で移動、"<kbd>"Enter"</kbd>
                " で開く、お問い合わせ画面で "<kbd>"r"</kbd>" で返信欄へ、"<kbd>"Esc"</kbd>" で一覧へ戻ります。"
            </p>
            <div class="filters">
                <select aria-label="店舗" on:change=on_shop prop:value=move || current.get().shop.unwrap_or_default()>
                    <option value="">"すべての店舗"</option>
                    {move || {
                        shops
                            .get()
                            .and_then(|r| r.ok())
                            .unwrap_or_default()
                            .into_iter()
                            .map(|shop| {
                                let selected = current.get_untracked().shop.as_deref() == Some(shop.id.as_str());
                                view! {
                                    <option value=shop.id selected=selected>
                                        {format!("{}（{}）", shop.name, shop.marketplace.label_ja())}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <form class="search" on:submit=on_search role="search">
                    <input
                        type="search"
                        placeholder="お客様名・受注番号・本文で検索"
                        prop:value=move || search_text.get()
                        on:input=move |ev| search_text.set(event_target_value(&ev))
                    />
                    <button type="submit">"検索"</button>
                </form>
            </div>
            {move || match list.get() {
                None => view! { <p class="loading">"読み込み中…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(conn)) if conn.nodes.is_empty() => {
                    view! { <p class="empty">"該当するお問い合わせはありません。"</p> }.into_any()
                }
                Some(Ok(conn)) => {
                    view! {
                        <ul class="inquiry-list">
                            {conn.nodes.into_iter().map(|i| view! { <InquiryRow inquiry=i/> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <Pager page_info total on_page/>
        </section>
    }
}

/// One inbox row: marketplace, customer, order number, preview, time, status.
#[component]
fn InquiryRow(inquiry: InquirySummary) -> impl IntoView {
    let href = format!("/inquiries/{}", inquiry.id);
    let customer =
        inquiry.customer_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "（名前なし）".into());
    let time = format::list_time(&inquiry.last_message_at);
    let full_time = format::date_time(&inquiry.last_message_at);
    let needs_reply = inquiry.status == InquiryStatus::NeedsReply;
    view! {
        <li class:needs-reply=needs_reply>
            <A href=href attr:class="inquiry-row">
                <span class="cell-mall">
                    <MarketplaceBadge marketplace=inquiry.shop.marketplace/>
                    <span class="shop-name">{inquiry.shop.name}</span>
                </span>
                <span class="cell-customer">{customer}</span>
                <span class="cell-order">{inquiry.order_number.unwrap_or_default()}</span>
                <span class="cell-preview">
                    {inquiry.subject.filter(|s| !s.is_empty()).map(|s| view! { <span class="subject">{s}</span> })}
                    <span class="preview">{inquiry.preview}</span>
                </span>
                <time class="cell-time" title=full_time>{time}</time>
                <span class="cell-status">
                    <InquiryStatusBadge status=inquiry.status/>
                </span>
            </A>
        </li>
    }
}
