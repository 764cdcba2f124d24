//! What the demo's marketplaces hold at the start: ~100 orders and ~40 inquiries (with their
//! threads: customer questions, shop replies already sent, completed ones), made from a fixed
//! seed and dated from the demo's anchor (the demo tenant's creation), so every start of
//! `serve --demo` makes exactly the same data with the same numbers and ids.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use mallsim::demo as acc;
use mallsim::state::{self as sim, ItemRef, OrderLine, OrderState, Party, Person};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use shared::{Marketplace, OrderStatus};

use crate::orders::{ItemForSave, OrderForCreate, PartyForSave};

/// The seed of the demo's data (the same every start).
pub const SEED: u64 = 20261123;

/// (family name, kana)
const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
];
/// (given name, kana)
const GIVEN: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("太郎", "タロウ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("美咲", "ミサキ"),
    ("大輔", "ダイスケ"),
    ("さくら", "サクラ"),
    ("健太", "ケンタ"),
    ("由美", "ユミ"),
    ("翔", "ショウ"),
    ("愛", "アイ"),
    ("直樹", "ナオキ"),
];
/// (postal code, prefecture, city, street)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("1500001", "東京都", "渋谷区", "神宮前1-2-3"),
    ("5300001", "大阪府", "大阪市北区", "梅田2-4-9"),
    ("4600008", "愛知県", "名古屋市中区", "栄3-5-1"),
    ("0600001", "北海道", "札幌市中央区", "北一条西4-1"),
    ("8100001", "福岡県", "福岡市中央区", "天神1-8-1"),
    ("9800021", "宮城県", "仙台市青葉区", "中央1-3-1"),
    ("7300011", "広島県", "広島市中区", "基町6-78"),
];
/// (name, SKU, tax-inclusive price, tax rate)
const PRODUCTS: &[(&str, &str, i64, f64)] = &[
    ("国産ひのき まな板 Lサイズ", "HNK-CB-L", 4980, 0.10),
    ("今治タオル フェイスタオル 3枚組", "IMB-FT-3", 3300, 0.10),
    ("有田焼 マグカップ 藍", "ART-MG-AI", 2750, 0.10),
    ("南部鉄器 急須 0.6L", "NBT-KY-06", 8800, 0.10),
    ("信楽焼 一輪挿し", "SGR-IR-01", 2200, 0.10),
    ("手ぬぐい 招き猫柄", "TNG-MNK", 1100, 0.10),
    ("静岡県産 深蒸し茶 100g", "SZK-FC-100", 1620, 0.08),
    ("美濃焼 小皿 5枚セット", "MNO-KZ-5", 3850, 0.10),
];
const SLOTS: &[&str] = &["午前中", "14〜16時", "16〜18時", "18〜20時", "19〜21時"];
/// (subject, question, Yahoo! category id)
const QUESTIONS: &[(&str, &str, u32)] = &[
    ("配送", "注文した商品はいつ頃発送になりますか？\n週末に使いたいので、到着日を教えていただけると助かります。", 7),
    (
        "注文情報の追加連絡",
        "お届け先の住所を間違えてしまいました。\n正しくは マンション名の後に 302号室 です。修正をお願いできますか。",
        11,
    ),
    ("返品交換・キャンセル", "申し訳ありませんが、注文をキャンセルさせていただけないでしょうか。", 9),
    ("商品詳細", "こちらの商品は食洗機に対応していますか？", 1),
    ("決済方法・購入金額", "領収書の発行をお願いしたいです。宛名は株式会社ミドリでお願いします。", 22),
    ("送料・商品配送", "届いた商品の箱が潰れていました。中身は無事でしたが念のためご連絡します。", 24),
    ("その他", "ギフト包装とのし(御祝)をお願いすることはできますか？", 25),
];
const REPLIES: &[&str] = &[
    "お問い合わせありがとうございます。ご注文の商品は明日発送予定です。発送後に追跡番号をお知らせいたします。",
    "ご連絡ありがとうございます。お届け先を修正いたしました。引き続きよろしくお願いいたします。",
    "ご不便をおかけし申し訳ございません。確認のうえ、改めてご連絡いたします。",
];

/// Shipping data the shop's staff entered (kept locally; imports never overwrite it).
#[derive(Clone, Debug)]
pub struct Shipping {
    pub ship_date: String,
    pub carrier: &'static str,
    pub method: &'static str,
    pub tracking: Option<String>,
}

/// One demo order, in terms both the simulator and 受注登録 understand.
#[derive(Clone, Debug)]
pub struct DemoOrder {
    pub marketplace: Marketplace,
    pub number: String,
    pub ordered_at: DateTime<Utc>,
    pub buyer: Person,
    pub recipient: Person,
    pub requested_delivery: Option<(String, &'static str)>,
    /// (name, SKU, price, tax rate, quantity)
    pub items: Vec<(&'static str, &'static str, i64, f64, i64)>,
    pub status: OrderStatus,
    /// Entered by staff after the import (shipped and completed orders).
    pub shipping: Option<Shipping>,
}

/// Everything the demo starts with.
pub struct Plan {
    pub orders: Vec<DemoOrder>,
    /// Inquiries as the simulator holds them (Rakuten and Yahoo!: the marketplaces with inquiries).
    pub inquiries: Vec<sim::Inquiry>,
}

/// The simulator account a demo shop of `m` is, or None (the custom-CSV shop has no marketplace).
pub fn account_of(m: Marketplace) -> Option<sim::AccountKey> {
    let (mp, id) = match m {
        Marketplace::Rakuten => (sim::Marketplace::Rakuten, acc::RAKUTEN_SHOP_ID),
        Marketplace::Yahoo => (sim::Marketplace::Yahoo, acc::YAHOO_SELLER_ID),
        Marketplace::Rakuma => (sim::Marketplace::Rakuma, acc::RAKUMA_EMAIL),
        Marketplace::AuPay => (sim::Marketplace::Aupay, acc::AUPAY_SHOP_ID),
        Marketplace::Amazon => (sim::Marketplace::Amazon, acc::AMAZON_SELLER_ID),
        Marketplace::CustomCsv => return None,
    };
    Some(sim::AccountKey::new(mp, id))
}

/// The demo's shops in the order of the plan: (marketplace, shop name, name on the marketplace).
pub fn shop_profiles() -> Vec<(Marketplace, &'static str, &'static str)> {
    vec![
        (Marketplace::Rakuten, "楽天市場店", "和のくらし 窓口屋 楽天市場店"),
        (Marketplace::Yahoo, "Yahoo!店", "和のくらし 窓口屋 Yahoo!店"),
        (Marketplace::Rakuma, "ラクマ店", "窓口屋 ラクマ店"),
        (Marketplace::AuPay, "au PAY マーケット店", "和のくらし 窓口屋 au PAY マーケット店"),
        (Marketplace::Amazon, "Amazon店", "和のくらし 窓口屋"),
        (Marketplace::CustomCsv, "自社サイト", "窓口屋 オンラインストア"),
    ]
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    // Every table of this file has entries.
    &xs[rng.gen_range(0..xs.len())]
}

fn person(rng: &mut StdRng) -> Person {
    let (family, family_kana) = *pick(rng, SURNAMES);
    let (given, given_kana) = *pick(rng, GIVEN);
    let (zip, pref, city, street) = *pick(rng, PLACES);
    let phone = format!(
        "0{}-{:04}-{:04}",
        rng.gen_range(3..=9) * 10 + rng.gen_range(0..10),
        rng.gen_range(0..10000),
        rng.gen_range(0..10000)
    );
    let email = format!("buyer{:06}@example.jp", rng.gen_range(0..1_000_000));
    Person {
        family_name: family.into(),
        first_name: given.into(),
        family_name_kana: family_kana.into(),
        first_name_kana: given_kana.into(),
        zip_code: zip.into(),
        prefecture: pref.into(),
        city: city.into(),
        sub_address: street.into(),
        phone,
        email,
    }
}

fn jst_day(t: DateTime<Utc>) -> String {
    mallsim::time::jst_date(t).format("%Y%m%d").to_string()
}

/// Order numbers in each marketplace's format, made from the plan's serial (never from the
/// simulator's own counter, which makes the numbers of new orders while the demo runs).
fn order_number(m: Marketplace, rng: &mut StdRng, day: DateTime<Utc>, serial: usize) -> String {
    match m {
        Marketplace::Rakuten => format!("{}-{}-{:010}", acc::RAKUTEN_SHOP_ID, jst_day(day), 1000 + serial),
        Marketplace::Yahoo => format!("{}-{}", acc::YAHOO_SELLER_ID, 20_000_000 + serial),
        Marketplace::Rakuma => format!("{:012}", rng.gen_range(100_000_000_000..999_999_999_999u64)),
        Marketplace::AuPay => format!("{}", 61_000_000 + serial),
        Marketplace::Amazon => format!(
            "{:03}-{:07}-{:07}",
            rng.gen_range(249..=503),
            rng.gen_range(0..10_000_000),
            rng.gen_range(0..10_000_000)
        ),
        Marketplace::CustomCsv => format!("WEB-{serial:06}"),
    }
}

/// The demo's data, dated back from `anchor`. The same anchor gives the same plan.
pub fn plan(anchor: DateTime<Utc>) -> Plan {
    let mut rng = StdRng::seed_from_u64(SEED);
    let shops: Vec<Marketplace> = shop_profiles().into_iter().map(|(m, ..)| m).collect();

    // ~100 orders over the 30 days before the anchor.
    let mut orders = Vec::new();
    for serial in 0..100 {
        let m = shops[if serial % 3 == 0 { serial % 6 } else { serial % 2 }];
        let ordered_at = anchor - TimeDelta::minutes(rng.gen_range(30..60 * 24 * 30));
        let buyer = person(&mut rng);
        let recipient = if rng.gen_bool(0.2) { person(&mut rng) } else { buyer.clone() };
        // Rakuma shops sell one item at a time (1点もの).
        let n_items = if m == Marketplace::Rakuma { 1 } else { rng.gen_range(1..=3) };
        let items = PRODUCTS
            .choose_multiple(&mut rng, n_items)
            .map(|(name, sku, price, tax)| {
                (*name, *sku, *price, *tax, if m == Marketplace::Rakuma { 1 } else { 1 + price % 3 })
            })
            .collect();
        let status = *pick(
            &mut rng,
            &[
                OrderStatus::New,
                OrderStatus::Processing,
                OrderStatus::AwaitingShipment,
                OrderStatus::Shipped,
                OrderStatus::Shipped,
                OrderStatus::Completed,
                OrderStatus::OnHold,
                OrderStatus::Cancelled,
            ],
        );
        let number = order_number(m, &mut rng, ordered_at, serial);
        let requested_delivery = rng.gen_bool(0.5).then(|| {
            let d = ordered_at + TimeDelta::days(rng.gen_range(3..8));
            (format!("{}/{:02}/{:02}", d.year(), d.month(), d.day()), *pick(&mut rng, SLOTS))
        });
        let shipping = matches!(status, OrderStatus::Shipped | OrderStatus::Completed).then(|| {
            let ship_date = (ordered_at + TimeDelta::days(2)).format("%Y-%m-%d").to_string();
            let (carrier, method, tracking) = match serial % 4 {
                0 => ("ヤマト運輸", "宅急便", Some(format!("{:012}", 400_000_000_000u64 + serial as u64))),
                1 => ("佐川急便", "飛脚宅配便", Some(format!("{:012}", 300_000_000_000u64 + serial as u64))),
                2 => ("日本郵便", "レターパック", None),
                _ => ("日本郵便", "ゆうパック", Some(format!("{:012}", 200_000_000_000u64 + serial as u64))),
            };
            Shipping { ship_date, carrier, method, tracking }
        });
        orders.push(DemoOrder {
            marketplace: m,
            number,
            ordered_at,
            buyer,
            recipient,
            requested_delivery,
            items,
            status,
            shipping,
        });
    }

    // ~40 inquiries on the marketplaces that have them (Rakuten and Yahoo!, in turn).
    let mut inquiries = Vec::new();
    for k in 0..40 {
        let m = shops[k % 2];
        let Some(key) = account_of(m) else { continue };
        let numbers: Vec<&DemoOrder> = orders.iter().filter(|o| o.marketplace == m).collect();
        let created = anchor - TimeDelta::minutes(rng.gen_range(10..60 * 24 * 20));
        let (subject, question, yahoo_category) = *pick(&mut rng, QUESTIONS);
        let order = match k % 8 {
            0 => None, // 商品問い合わせ, no order
            1 => {
                // An order that is not imported (placed elsewhere, or before the import window).
                let n = order_number(m, &mut rng, created, 900 + k);
                Some((n, None))
            }
            _ => numbers.choose(&mut rng).map(|o| (o.number.clone(), Some(*o))),
        };
        let buyer = match &order {
            Some((_, Some(o))) => o.buyer.clone(),
            _ => person(&mut rng),
        };
        let (item_name, item_sku, ..) = *pick(&mut rng, PRODUCTS);
        let mut messages = vec![sim::Message {
            id: 0,
            from: Party::User,
            body: question.into(),
            at: created,
            attachments: vec![],
            is_read: true,
        }];
        // A third wait for a reply, a third were answered, a third are done.
        let stage = k % 3;
        if stage >= 1 {
            messages.push(sim::Message {
                id: 1,
                from: Party::Merchant,
                body: (*pick(&mut rng, REPLIES)).to_string(),
                at: created + TimeDelta::minutes(rng.gen_range(5..240)),
                attachments: vec![],
                is_read: true,
            });
        }
        let last_at = messages.last().map(|msg| msg.at).unwrap_or(created);
        let id = match m {
            Marketplace::Yahoo => format!("{:032x}{:032x}", rng.r#gen::<u128>(), rng.r#gen::<u128>()),
            _ => format!("{}-{}-{}t", key.id, jst_day(created), 100 + k),
        };
        let masked = format!("{:03x}", rng.gen_range(0..0xfffu32));
        let order_number = order.as_ref().map(|(n, _)| n.clone());
        inquiries.push(sim::Inquiry {
            marketplace: key.marketplace,
            account: key.id.clone(),
            id,
            created_at: created,
            updated_at: last_at,
            kind: (if order_number.is_some() { "受注問い合わせ" } else { "商品問い合わせ" }).into(),
            category: subject.into(),
            // Categories 6 and above are about an order.
            category_id: if order_number.is_none() && yahoo_category >= 6 { 5 } else { yahoo_category },
            title: subject.into(),
            user_name: buyer.full_name(),
            user_mask_email: format!("{masked}{:013x}s1@pc.fw.rakuten.ne.jp", rng.r#gen::<u64>() >> 12),
            user_masked_id: format!("dm{masked}{k:04}"),
            user_masked_idx: format!("{masked}*****"),
            item: order_number.is_none().then(|| ItemRef {
                number: item_sku.to_lowercase(),
                name: item_name.into(),
                url: format!("/madoguchiya/{}/", item_sku.to_lowercase()),
            }),
            order_number,
            messages,
            read_by_merchant: true,
            seller_last_read: Some(last_at),
            completed_at: (stage == 2).then(|| last_at + TimeDelta::minutes(30)),
            complete_condition: (stage == 2).then_some(1),
            is_private: true,
        });
    }
    Plan { orders, inquiries }
}

impl DemoOrder {
    /// The order as its marketplace (the simulator) holds it.
    pub fn to_sim(&self, key: &sim::AccountKey, detail_base: i64) -> sim::Order {
        let state = match self.status {
            OrderStatus::New => OrderState::New,
            OrderStatus::Shipped => OrderState::Shipped,
            OrderStatus::Completed => OrderState::Completed,
            OrderStatus::Cancelled => OrderState::Cancelled,
            // 処理中, 発送待ち and 保留 (a status of Madoguchi's own) are "confirmed" there.
            _ => OrderState::Confirmed,
        };
        let lines = self
            .items
            .iter()
            .enumerate()
            .map(|(i, (name, sku, price, tax, units))| OrderLine {
                detail_id: detail_base * 10 + i as i64,
                item_id: 10_000_000 + detail_base * 10 + i as i64,
                manage_number: sku.to_lowercase(),
                sku: (*sku).into(),
                name: (*name).into(),
                price: *price,
                units: *units,
                tax_rate: *tax,
            })
            .collect::<Vec<_>>();
        let goods: i64 = lines.iter().map(|l| l.price * l.units).sum();
        let confirmed = (state != OrderState::New).then(|| self.ordered_at + TimeDelta::hours(2));
        let shipped =
            matches!(state, OrderState::Shipped | OrderState::Completed).then(|| self.ordered_at + TimeDelta::days(2));
        sim::Order {
            marketplace: key.marketplace,
            account: key.id.clone(),
            number: self.number.clone(),
            ordered_at: self.ordered_at,
            updated_at: shipped.or(confirmed).unwrap_or(self.ordered_at),
            confirmed_at: confirmed,
            shipped_at: shipped,
            state,
            seen: state != OrderState::New,
            buyer: self.buyer.clone(),
            recipient: self.recipient.clone(),
            lines,
            postage: if goods >= 5000 || self.marketplace == Marketplace::Rakuma { 0 } else { 660 },
            payment_method: "クレジットカード".into(),
            delivery_name: "宅配便".into(),
            remarks: match &self.requested_delivery {
                Some((day, slot)) => format!("[配送日時指定:]\n{day} {slot}"),
                None => String::new(),
            },
            basket_id: 10_000_000 + detail_base,
            shipments: Vec::new(),
            evaluation: None,
        }
    }

    /// The order as 受注登録 takes it (the custom-CSV shop, which no marketplace holds).
    pub fn to_create(&self, shop_id: i64) -> OrderForCreate {
        let party = |p: &Person| PartyForSave {
            name: Some(p.full_name()),
            postal_code: Some(format!(
                "{}-{}",
                &p.zip_code[..3.min(p.zip_code.len())],
                &p.zip_code[3.min(p.zip_code.len())..]
            )),
            address: Some(format!("{}{}{}", p.prefecture, p.city, p.sub_address)),
            phone: Some(p.phone.clone()),
        };
        OrderForCreate {
            shop_id,
            order_number: self.number.clone(),
            ordered_at: self.ordered_at,
            buyer: Some(party(&self.buyer)),
            recipient: party(&self.recipient),
            requested_delivery: self.requested_delivery.as_ref().map(|(d, s)| format!("{d} {s}")),
            items: self
                .items
                .iter()
                .map(|(name, sku, price, _, qty)| ItemForSave {
                    name: (*name).into(),
                    sku: Some((*sku).into()),
                    unit_price: *price,
                    quantity: *qty as i32,
                })
                .collect(),
            payment_method: Some("クレジットカード".into()),
            notes: None,
            status: self.status,
            marketplace_status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_anchor_gives_the_same_orders_and_inquiries() {
        let anchor = Utc::now();
        let (a, b) = (plan(anchor), plan(anchor));
        let numbers = |p: &Plan| p.orders.iter().map(|o| o.number.clone()).collect::<Vec<_>>();
        let ids = |p: &Plan| p.inquiries.iter().map(|i| (i.id.clone(), i.messages.len())).collect::<Vec<_>>();
        assert_eq!(numbers(&a), numbers(&b));
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.orders.len(), 100);
        assert_eq!(a.inquiries.len(), 40);
    }

    #[test]
    fn inquiries_are_spread_over_waiting_answered_and_done_on_both_marketplaces_with_inquiries() {
        let p = plan(Utc::now());
        for mp in [sim::Marketplace::Rakuten, sim::Marketplace::Yahoo] {
            let of: Vec<&sim::Inquiry> = p.inquiries.iter().filter(|i| i.marketplace == mp).collect();
            assert!(of.iter().any(|i| !i.is_completed() && i.awaits_merchant()), "{mp:?} has one waiting");
            assert!(of.iter().any(|i| !i.is_completed() && !i.awaits_merchant()), "{mp:?} has one answered");
            assert!(of.iter().any(|i| i.is_completed()), "{mp:?} has a completed one");
        }
        let mut ids: Vec<&str> = p.inquiries.iter().map(|i| i.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 40, "every inquiry id is its own");
    }
}
