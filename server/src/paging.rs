//! Relay cursor pagination over a (timestamp, id) key, newest first, without gaps or repeats
//! while rows are added: the cursor is the key of a row, never an offset.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.at.timestamp_millis(), self.id))
    }

    pub fn decode(s: &str) -> AppResult<Self> {
        let bad = || AppError::validation("cursor", "カーソルが不正です (invalid cursor)");
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (ms, id) = raw.split_once(':').ok_or_else(bad)?;
        let at = DateTime::from_timestamp_millis(ms.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Cursor { at, id: id.parse().map_err(|_| bad())? })
    }
}

pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub total_count: u64,
}

fn size(n: Option<i32>, field: &str) -> AppResult<Option<u64>> {
    match n {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(_) => Err(AppError::validation(
            field,
            format!("{field} は0〜{MAX_PAGE}で指定してください ({field} must be between 0 and {MAX_PAGE})"),
        )),
    }
}

/// Rows strictly older than the cursor in (time desc, id desc) order.
fn older<C: ColumnTrait>(time: C, id: C, c: Cursor) -> Condition {
    Condition::any().add(time.lt(c.at)).add(Condition::all().add(time.eq(c.at)).add(id.lt(c.id)))
}

fn newer<C: ColumnTrait>(time: C, id: C, c: Cursor) -> Condition {
    Condition::any().add(time.gt(c.at)).add(Condition::all().add(time.eq(c.at)).add(id.gt(c.id)))
}

/// Pages `select` (already filtered and tenant-scoped) newest first by `(time, id)`.
pub async fn paginate<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    time: E::Column,
    id: E::Column,
    key: impl Fn(&E::Model) -> Cursor,
    req: &PageRequest,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
    E::Model: Send + Sync,
{
    let first = size(req.first, "first")?;
    let last = size(req.last, "last")?;
    if first.is_some() && last.is_some() {
        return Err(AppError::validation(
            "first",
            "first と last は同時に指定できません (first and last cannot be combined)",
        ));
    }
    let after = req.after.as_deref().map(Cursor::decode).transpose()?;
    let before = req.before.as_deref().map(Cursor::decode).transpose()?;
    let total_count = select.clone().count(db).await?;

    let mut window = select.clone();
    if let Some(c) = after {
        window = window.filter(older(time, id, c));
    }
    if let Some(c) = before {
        window = window.filter(newer(time, id, c));
    }

    let exists = |cond: Condition| {
        let q = select.clone().filter(cond);
        async move { Ok::<bool, AppError>(q.limit(1).one(db).await?.is_some()) }
    };

    if let Some(n) = last {
        // From the end of the window backwards, then put back in newest-first order.
        let mut rows = window.order_by_asc(time).order_by_asc(id).limit(n + 1).all(db).await?;
        let has_previous_page = rows.len() as u64 > n;
        rows.truncate(n as usize);
        rows.reverse();
        let has_next_page = match before {
            Some(c) => {
                exists(
                    Condition::any().add(older(time, id, c)).add(Condition::all().add(time.eq(c.at)).add(id.eq(c.id))),
                )
                .await?
            }
            None => false,
        };
        return Ok(Page {
            items: rows.into_iter().map(|r| (key(&r), r)).collect(),
            has_next_page,
            has_previous_page,
            total_count,
        });
    }

    let n = first.unwrap_or(DEFAULT_PAGE);
    let mut rows = window.order_by_desc(time).order_by_desc(id).limit(n + 1).all(db).await?;
    let has_next_page = rows.len() as u64 > n;
    rows.truncate(n as usize);
    let has_previous_page = match after {
        Some(c) => {
            exists(Condition::any().add(newer(time, id, c)).add(Condition::all().add(time.eq(c.at)).add(id.eq(c.id))))
                .await?
        }
        None => false,
    };
    Ok(Page { items: rows.into_iter().map(|r| (key(&r), r)).collect(), has_next_page, has_previous_page, total_count })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor { at: DateTime::from_timestamp_millis(1_790_000_000_123).unwrap(), id: 42 };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not-a-cursor").is_err());
    }
}
