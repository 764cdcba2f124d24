//! The simulator's in-memory world: accounts with their credentials, orders, inquiries
//! (threads of customer messages), uploaded files, faults and what each account received.
//!
//! The model is marketplace-neutral; every marketplace module projects it onto its own wire
//! format (field names, date formats, status codes).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use crate::fault::Faults;

/// The marketplaces the simulator serves, each under its own path prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Marketplace {
    Rakuten,
    Yahoo,
    Rakuma,
    Aupay,
    Amazon,
}

impl Marketplace {
    pub const ALL: [Marketplace; 5] =
        [Marketplace::Rakuten, Marketplace::Yahoo, Marketplace::Rakuma, Marketplace::Aupay, Marketplace::Amazon];

    pub fn as_str(self) -> &'static str {
        match self {
            Marketplace::Rakuten => "rakuten",
            Marketplace::Yahoo => "yahoo",
            Marketplace::Rakuma => "rakuma",
            Marketplace::Aupay => "aupay",
            Marketplace::Amazon => "amazon",
        }
    }

    pub fn parse(s: &str) -> Option<Marketplace> {
        Marketplace::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Marketplaces whose customer messages the shop can read and answer through the API.
    pub fn has_inquiries(self) -> bool {
        matches!(self, Marketplace::Rakuten | Marketplace::Yahoo)
    }
}

/// An account is named by its marketplace and the marketplace's own shop / seller id
/// (Rakuten shopId, Yahoo sellerId, au PAY shopId, Amazon seller id, Rakuma e-mail).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountKey {
    pub marketplace: Marketplace,
    pub id: String,
}

impl AccountKey {
    pub fn new(marketplace: Marketplace, id: impl Into<String>) -> Self {
        AccountKey { marketplace, id: id.into() }
    }
}

/// Credentials of one account, as the marketplace issues them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "marketplace", rename_all = "lowercase", rename_all_fields = "camelCase")]
pub enum Credentials {
    /// RMS: `Authorization: ESA base64(serviceSecret:licenseKey)`. shopId is numeric.
    Rakuten { shop_id: String, service_secret: String, license_key: String },
    /// Yahoo!: `Authorization: Bearer <accessToken>`; with a YConnect client and refresh
    /// token, a new access token comes from `POST /yconnect/v2/token`.
    Yahoo {
        seller_id: String,
        access_token: String,
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        client_secret: Option<String>,
        #[serde(default)]
        refresh_token: Option<String>,
    },
    /// au PAY マーケット: `Authorization: Bearer <apiKey>`.
    Aupay { shop_id: String, api_key: String },
    /// Amazon: LWA refresh token + client → access token, sent as `x-amz-access-token`.
    Amazon { seller_id: String, client_id: String, client_secret: String, refresh_token: String },
    /// Rakuma (assumed contract, see rakuma.rs): password grant with client id/secret.
    Rakuma { email: String, password: String, client_id: String, client_secret: String },
}

impl Credentials {
    pub fn key(&self) -> AccountKey {
        match self {
            Credentials::Rakuten { shop_id, .. } => AccountKey::new(Marketplace::Rakuten, shop_id),
            Credentials::Yahoo { seller_id, .. } => AccountKey::new(Marketplace::Yahoo, seller_id),
            Credentials::Aupay { shop_id, .. } => AccountKey::new(Marketplace::Aupay, shop_id),
            Credentials::Amazon { seller_id, .. } => AccountKey::new(Marketplace::Amazon, seller_id),
            Credentials::Rakuma { email, .. } => AccountKey::new(Marketplace::Rakuma, email),
        }
    }
}

/// Where the Rakuten user-action push goes (see rakuten/push.rs).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushTarget {
    pub url: String,
    pub secret: String,
}

/// What an account received from the shop side, counted so tests can prove "exactly once".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    Reply,
    Attachment,
    Read,
    Completion,
    Incompletion,
    ShippingUpdate,
    Evaluation,
    Push,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub replies: u64,
    /// Replies refused as duplicates (Rakuten's 409): a retry of one that had arrived.
    pub duplicate_replies: u64,
    /// Access tokens issued by a refresh (Yahoo! YConnect).
    pub token_refreshes: u64,
    /// Authorization codes exchanged for tokens (Yahoo! YConnect's 連携).
    pub authorizations: u64,
    pub attachments: u64,
    pub reads: u64,
    pub completions: u64,
    pub incompletions: u64,
    pub shipping_updates: u64,
    pub evaluations: u64,
    pub pushes: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub kind: Kind,
    /// Inquiry number / topic id / order number the action was about.
    pub target: String,
    pub at: DateTime<Utc>,
    pub detail: serde_json::Value,
}

#[derive(Debug)]
pub struct Account {
    pub key: AccountKey,
    pub credentials: Credentials,
    pub shop_name: String,
    /// The licence key / API key / token was marked expired through the control API.
    pub key_expired: bool,
    /// When the licence key / API key was issued; Rakuten and au PAY keys expire 90 days later.
    pub key_issued_at: Option<DateTime<Utc>>,
    /// Yahoo!'s documented 1 request per second per URL; settable per account for tests.
    pub min_interval_ms: u64,
    pub last_call: HashMap<String, Instant>,
    /// Bearer tokens issued by the token endpoints (Amazon LWA, Rakuma) and their expiry.
    pub tokens: HashMap<String, DateTime<Utc>>,
    pub push: Option<PushTarget>,
    pub counters: Counters,
    pub received: Vec<Received>,
}

impl Account {
    pub fn record(&mut self, kind: Kind, target: &str, detail: serde_json::Value) {
        let c = &mut self.counters;
        match kind {
            Kind::Reply => c.replies += 1,
            Kind::Attachment => c.attachments += 1,
            Kind::Read => c.reads += 1,
            Kind::Completion => c.completions += 1,
            Kind::Incompletion => c.incompletions += 1,
            Kind::ShippingUpdate => c.shipping_updates += 1,
            Kind::Evaluation => c.evaluations += 1,
            Kind::Push => c.pushes += 1,
        }
        self.received.push(Received { kind, target: target.to_string(), at: Utc::now(), detail });
    }
}

/// A buyer or recipient with a Japanese address.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub family_name: String,
    pub first_name: String,
    pub family_name_kana: String,
    pub first_name_kana: String,
    /// Seven digits without hyphen, e.g. `1500043`.
    pub zip_code: String,
    pub prefecture: String,
    pub city: String,
    pub sub_address: String,
    /// e.g. `090-1234-5678`.
    pub phone: String,
    pub email: String,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.family_name, self.first_name)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub detail_id: i64,
    pub item_id: i64,
    /// Shop's product number (商品管理番号).
    pub manage_number: String,
    /// SKU (merchant-defined).
    pub sku: String,
    pub name: String,
    /// Tax-inclusive unit price in yen.
    pub price: i64,
    pub units: i64,
    /// 0.10 or 0.08.
    pub tax_rate: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub id: i64,
    /// The marketplace's carrier code as sent by the shop (e.g. Rakuten `1001`, au PAY `1`).
    pub carrier: String,
    pub tracking_number: String,
    pub date: Option<NaiveDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderState {
    /// Just placed, not yet confirmed by the shop.
    New,
    /// Confirmed, waiting for shipment.
    Confirmed,
    Shipped,
    Completed,
    Cancelled,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub rating: String,
    pub comment: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub marketplace: Marketplace,
    pub account: String,
    /// The marketplace's order number, in its own format.
    pub number: String,
    pub ordered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub state: OrderState,
    /// Yahoo! `IsSeen`.
    pub seen: bool,
    pub buyer: Person,
    pub recipient: Person,
    pub lines: Vec<OrderLine>,
    pub postage: i64,
    pub payment_method: String,
    pub delivery_name: String,
    pub remarks: String,
    pub basket_id: i64,
    pub shipments: Vec<Shipment>,
    pub evaluation: Option<Evaluation>,
}

impl Order {
    pub fn goods_price(&self) -> i64 {
        self.lines.iter().map(|l| l.price * l.units).sum()
    }
    pub fn total_price(&self) -> i64 {
        self.goods_price() + self.postage
    }
    pub fn units(&self) -> i64 {
        self.lines.iter().map(|l| l.units).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    User,
    Merchant,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    pub label: String,
    /// Rakuten attachment path or Yahoo object key.
    pub path: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Sequential within the thread, starting at 0 for the first message.
    pub id: u32,
    pub from: Party,
    pub body: String,
    pub at: DateTime<Utc>,
    pub attachments: Vec<FileRef>,
    pub is_read: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRef {
    pub number: String,
    pub name: String,
    pub url: String,
}

/// A thread of messages between a buyer and the shop (Rakuten inquiry, Yahoo! topic).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inquiry {
    pub marketplace: Marketplace,
    pub account: String,
    /// Rakuten inquiryNumber / Yahoo! topicId.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Rakuten `type` (店舗問い合わせ, 商品問い合わせ, 受注問い合わせ, 店舗からの問い合わせ).
    pub kind: String,
    /// Rakuten category label.
    pub category: String,
    /// Yahoo! category id (1–28).
    pub category_id: u32,
    pub title: String,
    pub user_name: String,
    pub user_mask_email: String,
    /// Yahoo! list `userMaskedId` (hashed, stable per buyer).
    pub user_masked_id: String,
    /// Yahoo! detail `userMaskedIdx`, e.g. `1b7*****`.
    pub user_masked_idx: String,
    pub order_number: Option<String>,
    pub item: Option<ItemRef>,
    pub messages: Vec<Message>,
    pub read_by_merchant: bool,
    pub seller_last_read: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub complete_condition: Option<u8>,
    pub is_private: bool,
}

impl Inquiry {
    pub fn last_from(&self, party: Party) -> Option<&Message> {
        self.messages.iter().rev().find(|m| m.from == party)
    }
    /// The latest message is the buyer's: the shop owes an answer.
    pub fn awaits_merchant(&self) -> bool {
        self.messages.last().is_some_and(|m| m.from == Party::User)
    }
    pub fn is_completed(&self) -> bool {
        self.completed_at.is_some()
    }
}

/// A file uploaded by the shop (Rakuten attachment, Yahoo! talk file).
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub account: AccountKey,
    pub name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// Rakuten licence keys and au PAY API keys are valid for 90 days after issue.
pub const KEY_LIFETIME_DAYS: i64 = 90;

pub struct State {
    pub rng: StdRng,
    pub accounts: BTreeMap<AccountKey, Account>,
    pub orders: Vec<Order>,
    pub inquiries: Vec<Inquiry>,
    pub files: HashMap<String, StoredFile>,
    pub faults: BTreeMap<Marketplace, Faults>,
    /// Requests that reached each marketplace prefix (including faulted ones).
    pub requests: BTreeMap<Marketplace, u64>,
    pub serial: u64,
    /// YConnect authorization codes not yet exchanged: the account that consented and the
    /// redirect URI the code was issued for.
    pub yconnect_codes: HashMap<String, (AccountKey, String)>,
}

impl State {
    pub fn new(rng: StdRng) -> Self {
        State {
            rng,
            accounts: BTreeMap::new(),
            orders: Vec::new(),
            inquiries: Vec::new(),
            files: HashMap::new(),
            faults: BTreeMap::new(),
            requests: BTreeMap::new(),
            serial: 0,
            yconnect_codes: HashMap::new(),
        }
    }

    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    pub fn account(&self, key: &AccountKey) -> Option<&Account> {
        self.accounts.get(key)
    }

    pub fn account_mut(&mut self, key: &AccountKey) -> Option<&mut Account> {
        self.accounts.get_mut(key)
    }

    /// The key is expired for this account: marked so, older than its lifetime, or the
    /// marketplace has the fault.
    pub fn key_expired(&self, key: &AccountKey) -> bool {
        let too_old = |a: &Account| {
            matches!(a.key.marketplace, Marketplace::Rakuten | Marketplace::Aupay)
                && a.key_issued_at.is_some_and(|t| Utc::now() - t > chrono::Duration::days(KEY_LIFETIME_DAYS))
        };
        self.faults.get(&key.marketplace).is_some_and(|f| f.expired_key)
            || self.account(key).is_some_and(|a| a.key_expired || too_old(a))
    }

    pub fn find_account(&self, mp: Marketplace, pred: impl Fn(&Credentials) -> bool) -> Option<AccountKey> {
        self.accounts.values().find(|a| a.key.marketplace == mp && pred(&a.credentials)).map(|a| a.key.clone())
    }

    pub fn order(&self, key: &AccountKey, number: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.marketplace == key.marketplace && o.account == key.id && o.number == number)
    }

    pub fn order_mut(&mut self, key: &AccountKey, number: &str) -> Option<&mut Order> {
        self.orders.iter_mut().find(|o| o.marketplace == key.marketplace && o.account == key.id && o.number == number)
    }

    pub fn orders_of<'a>(&'a self, key: &'a AccountKey) -> impl Iterator<Item = &'a Order> + 'a {
        self.orders.iter().filter(move |o| o.marketplace == key.marketplace && o.account == key.id)
    }

    pub fn inquiry(&self, key: &AccountKey, id: &str) -> Option<&Inquiry> {
        self.inquiries.iter().find(|i| i.marketplace == key.marketplace && i.account == key.id && i.id == id)
    }

    pub fn inquiry_mut(&mut self, key: &AccountKey, id: &str) -> Option<&mut Inquiry> {
        self.inquiries.iter_mut().find(|i| i.marketplace == key.marketplace && i.account == key.id && i.id == id)
    }

    pub fn inquiries_of<'a>(&'a self, key: &'a AccountKey) -> impl Iterator<Item = &'a Inquiry> + 'a {
        self.inquiries.iter().filter(move |i| i.marketplace == key.marketplace && i.account == key.id)
    }

    pub fn record(&mut self, key: &AccountKey, kind: Kind, target: &str, detail: serde_json::Value) {
        if let Some(a) = self.account_mut(key) {
            a.record(kind, target, detail);
        }
    }
}
