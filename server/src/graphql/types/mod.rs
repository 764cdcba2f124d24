//! The GraphQL object types of API.md, thin wrappers around stored rows, one file per domain.
//! They translate only: every read goes through an application function or a batch loader.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};

/// Shop staff work in Japan: timestamps go out in JST (+09:00), RFC 3339.
pub fn jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&shared::jst())
}

pub(crate) fn id(n: i64) -> ID {
    ID(n.to_string())
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ident) => {
        #[derive(SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[derive(SimpleObject)]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub nodes: Vec<$node>,
            pub page_info: PageInfo,
            pub total_count: i32,
        }

        impl<M, K: crate::paging::Key> From<crate::paging::Page<M, K>> for $conn
        where
            $node: From<M>,
            M: Clone,
        {
            fn from(p: crate::paging::Page<M, K>) -> Self {
                let cursors: Vec<String> = p.items.iter().map(|(c, _)| c.encode()).collect();
                $conn {
                    page_info: PageInfo {
                        has_next_page: p.has_next_page,
                        has_previous_page: p.has_previous_page,
                        start_cursor: cursors.first().cloned(),
                        end_cursor: cursors.last().cloned(),
                    },
                    total_count: p.total_count.min(i32::MAX as u64) as i32,
                    edges: p
                        .items
                        .iter()
                        .map(|(c, m)| $edge { cursor: c.encode(), node: $node::from(m.clone()) })
                        .collect(),
                    nodes: p.items.into_iter().map(|(_, m)| $node::from(m)).collect(),
                }
            }
        }
    };
}

mod event;
mod inquiry;
mod inquiry_connection;
mod order;
mod shop;
mod staff;
mod sync;
mod template;
mod webhook;

pub use event::*;
pub use inquiry::*;
pub use inquiry_connection::*;
pub use order::*;
pub use shop::*;
pub use staff::*;
pub use sync::*;
pub use template::*;
pub use webhook::*;
