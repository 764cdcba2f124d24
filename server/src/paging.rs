//! Relay cursor pagination over a (timestamp, id) key without gaps or repeats while rows are
//! added: the cursor is the key of a row, never an offset. One keyset pager, [`paginate`], in
//! the direction of its cursor kind: [`Cursor`] pages newest first, [`AscCursor`] pages by a
//! time that may be absent ascending (absent times last), then the id.

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

/// A page cursor as the API shows it.
pub trait Key {
    fn encode(&self) -> String;
}

impl Key for Cursor {
    fn encode(&self) -> String {
        Cursor::encode(self)
    }
}

/// The order a keyset pager lists rows in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `(time desc, id desc)`; the time is never absent.
    NewestFirst,
    /// `(time asc nulls last, id asc)`.
    OldestFirstAbsentLast,
}

/// A cursor kind of one sort: its direction, and the row key it holds.
pub trait SortKey: Key + Copy + Sized {
    const DIRECTION: Direction;
    /// `VALIDATION` on `cursor` for anything else, a cursor of another sort included.
    fn decode(s: &str) -> AppResult<Self>;
    fn at(&self) -> Option<DateTime<Utc>>;
    fn id(&self) -> i64;
}

impl SortKey for Cursor {
    const DIRECTION: Direction = Direction::NewestFirst;
    fn decode(s: &str) -> AppResult<Self> {
        Cursor::decode(s)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.at)
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl Key for String {
    fn encode(&self) -> String {
        self.clone()
    }
}

impl<T, K: Key> Page<T, K> {
    /// The same page with its cursors as the API shows them (to return pages of two sorts).
    pub fn encoded(self) -> Page<T, String> {
        Page {
            items: self.items.into_iter().map(|(k, t)| (k.encode(), t)).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
        }
    }
}

/// A page without its total (a connection that counts only when asked, `inbox::total_count`).
pub struct Rows<T, K = Cursor> {
    pub items: Vec<(K, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T, K: Key> Rows<T, K> {
    /// The same rows with their cursors as the API shows them (to return pages of two sorts).
    pub fn encoded(self) -> Rows<T, String> {
        Rows {
            items: self.items.into_iter().map(|(k, t)| (k.encode(), t)).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
        }
    }
}

pub struct Page<T, K = Cursor> {
    pub items: Vec<(K, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub total_count: u64,
}

/// A page size as asked (`first`/`last`): 0 to [`MAX_PAGE`], else `VALIDATION` on `field`.
pub(crate) fn size(n: Option<i32>, field: &str) -> AppResult<Option<u64>> {
    match n {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(_) => Err(AppError::validation(
            field,
            format!("{field} は0〜{MAX_PAGE}で指定してください ({field} must be between 0 and {MAX_PAGE})"),
        )),
    }
}

/// The key of an ascending sort on a time that may be absent (absent times after every
/// present one), then the id: 「待ち時間の長い順」 (`waiting_since`, then id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AscCursor {
    pub at: Option<DateTime<Utc>>,
    pub id: i64,
}

impl Key for AscCursor {
    fn encode(&self) -> String {
        let at = self.at.map(|t| t.timestamp_millis().to_string()).unwrap_or_else(|| "-".into());
        URL_SAFE_NO_PAD.encode(format!("a:{at}:{}", self.id))
    }
}

impl AscCursor {
    /// `VALIDATION` on `cursor` for anything else, a cursor of the other sort included.
    pub fn decode(s: &str) -> AppResult<Self> {
        let bad = || AppError::validation("cursor", "カーソルが不正です (invalid cursor)");
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
        let mut parts = raw.splitn(3, ':');
        if parts.next() != Some("a") {
            return Err(bad());
        }
        let at = match parts.next().ok_or_else(bad)? {
            "-" => None,
            ms => Some(DateTime::from_timestamp_millis(ms.parse().map_err(|_| bad())?).ok_or_else(bad)?),
        };
        let id = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        Ok(AscCursor { at, id })
    }
}

impl SortKey for AscCursor {
    const DIRECTION: Direction = Direction::OldestFirstAbsentLast;
    fn decode(s: &str) -> AppResult<Self> {
        AscCursor::decode(s)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        self.at
    }
    fn id(&self) -> i64 {
        self.id
    }
}

/// Rows after the cursor in the direction's order.
fn after<C: ColumnTrait>(dir: Direction, time: C, id: C, at: Option<DateTime<Utc>>, key: i64) -> Condition {
    match (dir, at) {
        // Strictly older in (time desc, id desc).
        (Direction::NewestFirst, Some(t)) => {
            Condition::any().add(time.lt(t)).add(Condition::all().add(time.eq(t)).add(id.lt(key)))
        }
        (Direction::NewestFirst, None) => Condition::all().add(id.lt(key)),
        (Direction::OldestFirstAbsentLast, Some(t)) => {
            Condition::any().add(time.gt(t)).add(Condition::all().add(time.eq(t)).add(id.gt(key))).add(time.is_null())
        }
        (Direction::OldestFirstAbsentLast, None) => Condition::all().add(time.is_null()).add(id.gt(key)),
    }
}

/// Rows before the cursor in the direction's order.
fn before<C: ColumnTrait>(dir: Direction, time: C, id: C, at: Option<DateTime<Utc>>, key: i64) -> Condition {
    match (dir, at) {
        // Strictly newer in (time desc, id desc).
        (Direction::NewestFirst, Some(t)) => {
            Condition::any().add(time.gt(t)).add(Condition::all().add(time.eq(t)).add(id.gt(key)))
        }
        (Direction::NewestFirst, None) => Condition::all().add(id.gt(key)),
        (Direction::OldestFirstAbsentLast, Some(t)) => {
            Condition::any().add(time.lt(t)).add(Condition::all().add(time.eq(t)).add(id.lt(key)))
        }
        (Direction::OldestFirstAbsentLast, None) => Condition::any().add(time.is_not_null()).add(id.lt(key)),
    }
}

/// The cursor's own row.
fn at_cursor<C: ColumnTrait>(time: C, id: C, at: Option<DateTime<Utc>>, key: i64) -> Condition {
    let t = match at {
        Some(t) => Condition::all().add(time.eq(t)),
        None => Condition::all().add(time.is_null()),
    };
    t.add(id.eq(key))
}

/// [`keyset`] with the total count of `select` (an exact `COUNT(*)`).
pub async fn paginate<E, C, K>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    time: E::Column,
    id: E::Column,
    key: impl Fn(&E::Model) -> K,
    req: &PageRequest,
) -> AppResult<Page<E::Model, K>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
    E::Model: Send + Sync,
    K: SortKey,
{
    let rows = keyset(db, select.clone(), time, id, key, req).await?;
    let total_count = select.count(db).await?;
    Ok(Page {
        items: rows.items,
        has_next_page: rows.has_next_page,
        has_previous_page: rows.has_previous_page,
        total_count,
    })
}

/// Pages `select` (already filtered and tenant-scoped) by `(time, id)` in the direction of the
/// cursor kind `K`. A cursor is a row's key, so every row is listed once while rows are added
/// or their time changes between pages.
pub async fn keyset<E, C, K>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    time: E::Column,
    id: E::Column,
    key: impl Fn(&E::Model) -> K,
    req: &PageRequest,
) -> AppResult<Rows<E::Model, K>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
    E::Model: Send + Sync,
    K: SortKey,
{
    use sea_orm::Order;
    use sea_orm::sea_query::NullOrdering;
    let dir = K::DIRECTION;
    let first = size(req.first, "first")?;
    let last = size(req.last, "last")?;
    if first.is_some() && last.is_some() {
        return Err(AppError::validation(
            "first",
            "first と last は同時に指定できません (first and last cannot be combined)",
        ));
    }
    let after_key = req.after.as_deref().map(K::decode).transpose()?;
    let before_key = req.before.as_deref().map(K::decode).transpose()?;

    let mut window = select.clone();
    if let Some(c) = after_key {
        window = window.filter(after(dir, time, id, c.at(), c.id()));
    }
    if let Some(c) = before_key {
        window = window.filter(before(dir, time, id, c.at(), c.id()));
    }
    let exists = |cond: Condition| {
        let q = select.clone().filter(cond);
        async move { Ok::<bool, AppError>(q.limit(1).one(db).await?.is_some()) }
    };

    if let Some(n) = last {
        // From the end of the window backwards, then put back in the direction's order.
        let backwards = match dir {
            Direction::NewestFirst => window.order_by_asc(time).order_by_asc(id),
            Direction::OldestFirstAbsentLast => {
                window.order_by_with_nulls(time, Order::Desc, NullOrdering::First).order_by_desc(id)
            }
        };
        let mut rows = backwards.limit(n + 1).all(db).await?;
        let has_previous_page = rows.len() as u64 > n;
        rows.truncate(n as usize);
        rows.reverse();
        let has_next_page = match before_key {
            Some(c) => {
                exists(Condition::any().add(after(dir, time, id, c.at(), c.id())).add(at_cursor(
                    time,
                    id,
                    c.at(),
                    c.id(),
                )))
                .await?
            }
            None => false,
        };
        return Ok(Rows { items: rows.into_iter().map(|r| (key(&r), r)).collect(), has_next_page, has_previous_page });
    }

    let n = first.unwrap_or(DEFAULT_PAGE);
    let forwards = match dir {
        Direction::NewestFirst => window.order_by_desc(time).order_by_desc(id),
        Direction::OldestFirstAbsentLast => {
            window.order_by_with_nulls(time, Order::Asc, NullOrdering::Last).order_by_asc(id)
        }
    };
    let mut rows = forwards.limit(n + 1).all(db).await?;
    let has_next_page = rows.len() as u64 > n;
    rows.truncate(n as usize);
    let has_previous_page = match after_key {
        Some(c) => {
            exists(Condition::any().add(before(dir, time, id, c.at(), c.id())).add(at_cursor(time, id, c.at(), c.id())))
                .await?
        }
        None => false,
    };
    Ok(Rows { items: rows.into_iter().map(|r| (key(&r), r)).collect(), has_next_page, has_previous_page })
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

    #[test]
    fn ascending_cursors_round_trip_with_and_without_a_time_and_refuse_the_other_sort() {
        for at in [Some(DateTime::from_timestamp_millis(1_790_000_000_123).unwrap()), None] {
            let c = AscCursor { at, id: 7 };
            assert_eq!(AscCursor::decode(&Key::encode(&c)).unwrap(), c);
        }
        let newest = Cursor { at: DateTime::from_timestamp_millis(1).unwrap(), id: 1 };
        assert!(AscCursor::decode(&newest.encode()).is_err());
        assert!(Cursor::decode(&Key::encode(&AscCursor { at: None, id: 1 })).is_err());
    }
}
