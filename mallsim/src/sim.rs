//! `Sim`: the shared handle on the simulator's state, and the operations the control API and
//! demo mode perform on it (also usable in-process, without HTTP).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Deserialize;
use tokio::sync::{Mutex, MutexGuard};

use crate::data::{self, InquirySpec};
use crate::fault::Faults;
use crate::state::{
    Account, AccountKey, Counters, Credentials, Marketplace, Message, OrderLine, OrderState, Party, Person, PushTarget,
    Received, State,
};

#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    http: reqwest::Client,
    seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    NotFound(String),
    Invalid(String),
    Conflict(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::NotFound(m) | SimError::Invalid(m) | SimError::Conflict(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SimError {}

/// A new marketplace account with its credentials.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    #[serde(flatten)]
    pub credentials: Credentials,
    #[serde(default)]
    pub shop_name: Option<String>,
    /// Minimum interval between two calls to the same URL (Yahoo!: 1000 by default).
    #[serde(default)]
    pub min_interval_ms: Option<u64>,
    #[serde(default)]
    pub key_expired: bool,
    /// When the licence key / API key was issued (Rakuten, au PAY: valid 90 days).
    #[serde(default)]
    pub key_issued_at: Option<DateTime<Utc>>,
    /// Rakuma: `single` (1点もの, the only kind supported) or `multi` (縦づみ, refused).
    #[serde(default)]
    pub account_type: Option<String>,
}

impl NewAccount {
    pub fn new(credentials: Credentials) -> Self {
        NewAccount {
            credentials,
            shop_name: None,
            min_interval_ms: None,
            key_expired: false,
            key_issued_at: None,
            account_type: None,
        }
    }
}

/// An order as the control API describes it; everything omitted is generated.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSpec {
    pub number: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub state: Option<OrderState>,
    pub buyer: Option<Person>,
    pub lines: Option<Vec<OrderLine>>,
    pub postage: Option<i64>,
}

impl Sim {
    pub fn new(seed: u64) -> Sim {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Sim { inner: Arc::new(Inner { state: Mutex::new(State::new(StdRng::seed_from_u64(seed))), http, seed }) }
    }

    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    pub async fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().await
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub async fn create_account(&self, new: NewAccount) -> Result<AccountKey, SimError> {
        let key = new.credentials.key();
        if key.id.trim().is_empty() {
            return Err(SimError::Invalid("account id is empty".into()));
        }
        if let Credentials::Rakuten { shop_id, .. } = &new.credentials
            && !shop_id.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(SimError::Invalid("Rakuten shopId must be numeric".into()));
        }
        if key.marketplace == Marketplace::Rakuma && new.account_type.as_deref().is_some_and(|t| t != "single") {
            return Err(SimError::Invalid("Rakuma: only single-item (1点もの) accounts are supported".into()));
        }
        let mut st = self.state().await;
        if st.accounts.contains_key(&key) {
            return Err(SimError::Conflict(format!("account {}/{} exists", key.marketplace.as_str(), key.id)));
        }
        let default_interval = if key.marketplace == Marketplace::Yahoo { 1000 } else { 0 };
        st.accounts.insert(
            key.clone(),
            Account {
                key: key.clone(),
                shop_name: new.shop_name.unwrap_or_else(|| format!("テストショップ{}", key.id)),
                credentials: new.credentials,
                key_expired: new.key_expired,
                key_issued_at: new.key_issued_at,
                min_interval_ms: new.min_interval_ms.unwrap_or(default_interval),
                last_call: HashMap::new(),
                tokens: HashMap::new(),
                push: None,
                counters: Counters::default(),
                received: Vec::new(),
            },
        );
        Ok(key)
    }

    pub async fn set_key_expired(&self, key: &AccountKey, expired: bool) -> Result<(), SimError> {
        let mut st = self.state().await;
        let acc = st.account_mut(key).ok_or_else(|| not_found(key))?;
        acc.key_expired = expired;
        Ok(())
    }

    pub async fn set_push(&self, key: &AccountKey, push: Option<PushTarget>) -> Result<(), SimError> {
        if key.marketplace != Marketplace::Rakuten {
            return Err(SimError::Invalid("only Rakuten pushes user actions".into()));
        }
        let mut st = self.state().await;
        st.account_mut(key).ok_or_else(|| not_found(key))?.push = push;
        Ok(())
    }

    /// Generates `count` orders placed over the past `within_days` days.
    pub async fn generate_orders(
        &self,
        key: &AccountKey,
        count: usize,
        within_days: i64,
    ) -> Result<Vec<String>, SimError> {
        let mut st = self.state().await;
        st.account(key).ok_or_else(|| not_found(key))?;
        let times = data::past_times(&mut st.rng, count, within_days);
        let mut numbers = Vec::new();
        for at in times {
            let o = data::order(&mut st, key, at);
            numbers.push(o.number.clone());
            st.orders.push(o);
        }
        Ok(numbers)
    }

    pub async fn add_order(&self, key: &AccountKey, spec: OrderSpec) -> Result<String, SimError> {
        let mut st = self.state().await;
        st.account(key).ok_or_else(|| not_found(key))?;
        let at = spec.at.unwrap_or_else(Utc::now);
        let mut o = data::order(&mut st, key, at);
        if let Some(n) = spec.number {
            if st.order(key, &n).is_some() {
                return Err(SimError::Conflict(format!("order {n} exists")));
            }
            o.number = n;
        }
        if let Some(s) = spec.state {
            o.state = s;
            if s != OrderState::New {
                o.confirmed_at = Some(at);
            }
        }
        if let Some(b) = spec.buyer {
            o.recipient = b.clone();
            o.buyer = b;
        }
        if let Some(lines) = spec.lines {
            if key.marketplace == Marketplace::Rakuma && (lines.len() != 1 || lines[0].units != 1) {
                return Err(SimError::Invalid("Rakuma orders hold exactly one item".into()));
            }
            o.lines = lines;
        }
        if let Some(p) = spec.postage {
            o.postage = p;
        }
        let number = o.number.clone();
        st.orders.push(o);
        Ok(number)
    }

    pub async fn generate_inquiries(
        &self,
        key: &AccountKey,
        count: usize,
        within_days: i64,
    ) -> Result<Vec<String>, SimError> {
        let times = {
            let mut st = self.state().await;
            st.account(key).ok_or_else(|| not_found(key))?;
            data::past_times(&mut st.rng, count, within_days)
        };
        let mut ids = Vec::new();
        for at in times {
            ids.push(self.add_inquiry(key, InquirySpec { at: Some(at), ..Default::default() }).await?);
        }
        Ok(ids)
    }

    /// A buyer opens a new inquiry.
    pub async fn add_inquiry(&self, key: &AccountKey, spec: InquirySpec) -> Result<String, SimError> {
        if !key.marketplace.has_inquiries() {
            return Err(SimError::Invalid(format!("{} has no inquiry API", key.marketplace.as_str())));
        }
        let id = {
            let mut st = self.state().await;
            st.account(key).ok_or_else(|| not_found(key))?;
            if let Some(n) = &spec.order_number
                && st.order(key, n).is_none()
            {
                return Err(SimError::NotFound(format!("order {n}")));
            }
            let inq = data::inquiry(&mut st, key, spec);
            let id = inq.id.clone();
            st.inquiries.push(inq);
            id
        };
        self.push_later(key, &id, crate::rakuten::push::Action::NewInquiry).await;
        Ok(id)
    }

    /// The buyer writes again in an existing thread. Returns the message id.
    pub async fn add_customer_message(
        &self,
        key: &AccountKey,
        inquiry: &str,
        body: Option<String>,
        at: Option<DateTime<Utc>>,
        file: Option<crate::state::StoredFile>,
    ) -> Result<u32, SimError> {
        let id = {
            let mut st = self.state().await;
            st.account(key).ok_or_else(|| not_found(key))?;
            let body = body.unwrap_or_else(|| data::follow_up(&mut st.rng).to_string());
            // A buyer's file is kept where `GET /attachment?path=…` finds it (Rakuten's path form).
            let mut attachments = Vec::new();
            if let Some(f) = file {
                let now = crate::time::to_jst(Utc::now());
                let hash = data::hex_id(&mut st.rng, 32);
                let path = format!("{}/{}/{}_{}", now.format("%Y/%m/%d"), key.id, now.format("%H%M%S"), hash);
                attachments.push(crate::state::FileRef { label: f.name.clone(), path: path.clone() });
                st.files.insert(path, f);
            }
            let inq = st.inquiry_mut(key, inquiry).ok_or_else(|| SimError::NotFound(format!("inquiry {inquiry}")))?;
            if key.marketplace == Marketplace::Yahoo && inq.is_completed() {
                return Err(SimError::Conflict("the topic is completed".into()));
            }
            let at = at.unwrap_or_else(Utc::now);
            let id = inq.messages.len() as u32;
            inq.messages.push(Message { id, from: Party::User, body, at, attachments, is_read: false });
            inq.updated_at = at;
            inq.read_by_merchant = false;
            id
        };
        self.push_later(key, inquiry, crate::rakuten::push::Action::UserMessage).await;
        Ok(id)
    }

    /// Sends the Rakuten user-action push in the background when a callback is registered.
    async fn push_later(&self, key: &AccountKey, inquiry: &str, action: crate::rakuten::push::Action) {
        let registered = self.state().await.account(key).is_some_and(|a| a.push.is_some());
        if registered {
            let sim = self.clone();
            let key = key.clone();
            let inquiry = inquiry.to_string();
            tokio::spawn(async move {
                if let Err(e) = crate::rakuten::push::send(&sim, &key, &inquiry, action).await {
                    tracing::warn!("push for {inquiry} failed: {e}");
                }
            });
        }
    }

    pub async fn counters(&self, key: &AccountKey) -> Result<(Counters, Vec<Received>), SimError> {
        let st = self.state().await;
        let a = st.account(key).ok_or_else(|| not_found(key))?;
        Ok((a.counters.clone(), a.received.clone()))
    }

    pub async fn set_faults(&self, mp: Marketplace, faults: Faults) {
        self.state().await.faults.insert(mp, faults);
    }

    pub async fn clear_faults(&self, mp: Option<Marketplace>) {
        let mut st = self.state().await;
        match mp {
            Some(m) => {
                st.faults.remove(&m);
            }
            None => st.faults.clear(),
        }
    }
}

fn not_found(key: &AccountKey) -> SimError {
    SimError::NotFound(format!("account {}/{}", key.marketplace.as_str(), key.id))
}
