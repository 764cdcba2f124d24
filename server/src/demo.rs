//! Demo data (`madoguchi serve --demo`): a tenant with the API option, one shop per
//! marketplace with realistic Japanese profiles, ~100 orders, ~40 inquiries over all three
//! statuses, and templates. Created once; running the demo again keeps what is there.
//!
//! With `serve --demo`, `connect_simulator` then points the shops at the marketplace simulator
//! running in the same process, which keeps producing orders and customer messages: they
//! arrive through the real import, so the live inbox can be watched working.

use chrono::{Datelike, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::{Marketplace, MessageAuthor, OrderStatus};

use crate::error::AppResult;
use crate::inbox::{self, IncomingInquiry, IncomingMessage};
use crate::orders::{self, ItemForSave, OrderForCreate, OrderForUpdate, PartyForSave};
use crate::shops::{self, SettingsForSave, ShopForSave};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, staff};
use crate::{clock, provision, templates};

pub const DEMO_EMAIL: &str = "demo@madoguchi.example";
pub const DEMO_PASSWORD: &str = "madoguchi-demo";

const SURNAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "松本", "井上",
    "木村",
];
const GIVEN: &[&str] = &["花子", "太郎", "陽菜", "蓮", "美咲", "大輔", "さくら", "健太", "由美", "翔", "愛", "直樹"];
const PLACES: &[(&str, &str)] = &[
    ("150-0001", "東京都渋谷区神宮前1-2-3"),
    ("530-0001", "大阪府大阪市北区梅田2-4-9"),
    ("460-0008", "愛知県名古屋市中区栄3-5-1"),
    ("060-0001", "北海道札幌市中央区北一条西4-1"),
    ("810-0001", "福岡県福岡市中央区天神1-8-1"),
    ("980-0021", "宮城県仙台市青葉区中央1-3-1"),
    ("730-0011", "広島県広島市中区基町6-78"),
];
const PRODUCTS: &[(&str, &str, i64)] = &[
    ("国産ひのき まな板 Lサイズ", "HNK-CB-L", 4980),
    ("今治タオル フェイスタオル 3枚組", "IMB-FT-3", 3300),
    ("有田焼 マグカップ 藍", "ART-MG-AI", 2750),
    ("南部鉄器 急須 0.6L", "NBT-KY-06", 8800),
    ("信楽焼 一輪挿し", "SGR-IR-01", 2200),
    ("手ぬぐい 招き猫柄", "TNG-MNK", 1100),
    ("静岡県産 深蒸し茶 100g", "SZK-FC-100", 1620),
    ("美濃焼 小皿 5枚セット", "MNO-KZ-5", 3850),
];
const SLOTS: &[&str] = &["午前中", "14〜16時", "16〜18時", "18〜20時", "19〜21時"];
const QUESTIONS: &[(&str, &str)] = &[
    ("配送", "注文した商品はいつ頃発送になりますか？\n週末に使いたいので、到着日を教えていただけると助かります。"),
    (
        "注文情報の追加連絡",
        "お届け先の住所を間違えてしまいました。\n正しくは マンション名の後に 302号室 です。修正をお願いできますか。",
    ),
    ("返品交換・キャンセル", "申し訳ありませんが、注文をキャンセルさせていただけないでしょうか。"),
    ("商品詳細", "こちらの商品は食洗機に対応していますか？"),
    ("決済方法・購入金額", "領収書の発行をお願いしたいです。宛名は株式会社ミドリでお願いします。"),
    ("送料・商品配送", "届いた商品の箱が潰れていました。中身は無事でしたが念のためご連絡します。"),
    ("その他", "ギフト包装とのし(御祝)をお願いすることはできますか？"),
];
const REPLIES: &[&str] = &[
    "お問い合わせありがとうございます。ご注文の商品は明日発送予定です。発送後に追跡番号をお知らせいたします。",
    "ご連絡ありがとうございます。お届け先を修正いたしました。引き続きよろしくお願いいたします。",
    "ご不便をおかけし申し訳ございません。確認のうえ、改めてご連絡いたします。",
];

fn person(rng: &mut StdRng) -> String {
    format!("{} {}", SURNAMES.choose(rng).unwrap_or(&"佐藤"), GIVEN.choose(rng).unwrap_or(&"花子"))
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "0{}-{:04}-{:04}",
        rng.gen_range(3..=9) * 10 + rng.gen_range(0..10),
        rng.gen_range(0..10000),
        rng.gen_range(0..10000)
    )
}

fn order_number(m: Marketplace, rng: &mut StdRng, day: chrono::DateTime<Utc>, serial: usize) -> String {
    match m {
        Marketplace::Rakuten => {
            format!("382817-{:04}{:02}{:02}-{:07}", day.year(), day.month(), day.day(), 1000 + serial)
        }
        Marketplace::Yahoo => format!("madoguchi-store-{}", 10_000_000 + serial),
        Marketplace::Rakuma => format!("m{:09}", rng.gen_range(100_000_000..999_999_999u64)),
        Marketplace::AuPay => format!("{}", 61_000_000 + serial),
        Marketplace::Amazon => format!(
            "{:03}-{:07}-{:07}",
            rng.gen_range(249..=503),
            rng.gen_range(0..10_000_000),
            rng.gen_range(0..10_000_000)
        ),
        Marketplace::CustomCsv => format!("WEB-{:06}", serial),
    }
}

fn masked_id(rng: &mut StdRng) -> String {
    format!("{:03x}*****", rng.gen_range(0..0xfff))
}

fn shop_profiles() -> Vec<(Marketplace, &'static str, &'static str)> {
    vec![
        (Marketplace::Rakuten, "楽天市場店", "和のくらし 窓口屋 楽天市場店"),
        (Marketplace::Yahoo, "Yahoo!店", "和のくらし 窓口屋 Yahoo!店"),
        (Marketplace::Rakuma, "ラクマ店", "窓口屋 ラクマ店"),
        (Marketplace::AuPay, "au PAY マーケット店", "和のくらし 窓口屋 au PAY マーケット店"),
        (Marketplace::Amazon, "Amazon店", "和のくらし 窓口屋"),
        (Marketplace::CustomCsv, "自社サイト", "窓口屋 オンラインストア"),
    ]
}

/// Creates the demo tenant once.
pub async fn seed(state: &AppState) -> AppResult<()> {
    let db = &state.db;
    if staff::Entity::find().filter(staff::Column::Email.eq(DEMO_EMAIL)).one(db).await?.is_some() {
        return Ok(());
    }
    let now = clock::now();
    let actor = provision::create_tenant(db, "窓口屋 (デモ)", true).await?;
    let scope = actor.scope;
    provision::create_staff(db, &actor, DEMO_EMAIL, "デモ 担当", shared::Role::Admin, DEMO_PASSWORD).await?;
    let mut rng = StdRng::seed_from_u64(20261123);

    let mut shops_made = Vec::new();
    for (m, name, mall_name) in shop_profiles() {
        let s = shops::save(
            db,
            &state.sealer,
            &state.policy,
            &actor,
            None,
            ShopForSave {
                marketplace: Some(m),
                name: name.into(),
                mall_shop_name: mall_name.into(),
                staff_name: "山田 花子".into(),
                phone: "03-1234-5678".into(),
                email: "support@madoguchiya.example".into(),
                settings: Some(SettingsForSave {
                    import_days: Some(7),
                    review_message: (m == Marketplace::Rakuma)
                        .then(|| "この度はお取引ありがとうございました。またのご利用をお待ちしております。".into()),
                    registered_email: (m == Marketplace::Rakuma).then(|| "rakuma@madoguchiya.example".into()),
                    ..Default::default()
                }),
            },
        )
        .await?;
        shops_made.push((m, s));
    }

    // ~100 orders over the last 30 days.
    let mut orders_by_shop: Vec<(shop::Model, Vec<String>)> =
        shops_made.iter().map(|(_, s)| (s.clone(), Vec::new())).collect();
    for serial in 0..100 {
        let idx = if serial % 3 == 0 { serial % 6 } else { serial % 2 };
        let (m, s) = &shops_made[idx];
        let ordered_at = now - TimeDelta::minutes(rng.gen_range(30..60 * 24 * 30));
        let buyer = person(&mut rng);
        let (postal, address) = *PLACES.choose(&mut rng).unwrap_or(&PLACES[0]);
        let recipient = if rng.gen_bool(0.2) { person(&mut rng) } else { buyer.clone() };
        let n_items = rng.gen_range(1..=3);
        let items = PRODUCTS
            .choose_multiple(&mut rng, n_items)
            .map(|(name, sku, price)| ItemForSave {
                name: (*name).into(),
                sku: Some((*sku).into()),
                unit_price: *price,
                quantity: 1 + (price % 3) as i32,
            })
            .collect();
        let status = *[
            OrderStatus::New,
            OrderStatus::Processing,
            OrderStatus::AwaitingShipment,
            OrderStatus::Shipped,
            OrderStatus::Shipped,
            OrderStatus::Completed,
            OrderStatus::OnHold,
            OrderStatus::Cancelled,
        ]
        .choose(&mut rng)
        .unwrap_or(&OrderStatus::New);
        let number = order_number(*m, &mut rng, ordered_at, serial);
        let party = |name: String, ph: String| PartyForSave {
            name: Some(name),
            postal_code: Some(postal.into()),
            address: Some(address.into()),
            phone: Some(ph),
        };
        let o = orders::create(
            state,
            &actor,
            OrderForCreate {
                shop_id: s.id,
                order_number: number.clone(),
                ordered_at,
                buyer: Some(party(buyer, phone(&mut rng))),
                recipient: party(recipient, phone(&mut rng)),
                requested_delivery: rng.gen_bool(0.5).then(|| {
                    let d = ordered_at + TimeDelta::days(rng.gen_range(3..8));
                    format!(
                        "{}/{:02}/{:02} {}",
                        d.year(),
                        d.month(),
                        d.day(),
                        SLOTS.choose(&mut rng).unwrap_or(&"午前中")
                    )
                }),
                items,
                payment_method: None,
                notes: None,
                status,
                marketplace_status: None,
            },
        )
        .await?;
        if matches!(status, OrderStatus::Shipped | OrderStatus::Completed) {
            let ship = ordered_at + TimeDelta::days(2);
            let (carrier, method, tracking) = match serial % 4 {
                0 => ("ヤマト運輸", "宅急便", Some(format!("{:012}", 400_000_000_000u64 + serial as u64))),
                1 => ("佐川急便", "飛脚宅配便", Some(format!("{:012}", 300_000_000_000u64 + serial as u64))),
                2 => ("日本郵便", "レターパック", None),
                _ => ("日本郵便", "ゆうパック", Some(format!("{:012}", 200_000_000_000u64 + serial as u64))),
            };
            orders::update(
                state,
                &actor,
                o.id,
                OrderForUpdate {
                    ship_date: Some(ship.format("%Y-%m-%d").to_string()),
                    carrier: Some(carrier.into()),
                    delivery_method: Some(method.into()),
                    tracking_number: tracking,
                    ..Default::default()
                },
            )
            .await?;
        }
        if let Some(e) = orders_by_shop.iter_mut().find(|(sh, _)| sh.id == s.id) {
            e.1.push(number);
        }
    }

    // ~40 inquiries on the marketplaces that have them.
    for k in 0..40 {
        let (s, numbers) = &orders_by_shop[k % 2];
        let m = Marketplace::from(s.marketplace);
        let created = now - TimeDelta::minutes(rng.gen_range(10..60 * 24 * 20));
        let (subject, question) = *QUESTIONS.choose(&mut rng).unwrap_or(&QUESTIONS[0]);
        let order_number = match k % 8 {
            0 => None,                                              // 商品問い合わせ, no order
            1 => Some(order_number(m, &mut rng, created, 900 + k)), // an order not imported yet
            _ => numbers.choose(&mut rng).cloned(),
        };
        let customer_name = if m.capabilities().hides_customer_name {
            masked_id(&mut rng)
        } else {
            format!("{} 様", person(&mut rng))
        };
        let mut messages = vec![IncomingMessage {
            marketplace_message_id: "0".into(),
            author: MessageAuthor::Customer,
            staff_name: None,
            body: question.into(),
            sent_at: created,
            files: Vec::new(),
        }];
        // A third wait for a reply, a third were answered, a third are done.
        let stage = k % 3;
        if stage >= 1 {
            messages.push(IncomingMessage {
                marketplace_message_id: "1".into(),
                author: MessageAuthor::Shop,
                staff_name: Some("山田 花子".into()),
                body: REPLIES.choose(&mut rng).unwrap_or(&REPLIES[0]).to_string(),
                sent_at: created + TimeDelta::minutes(rng.gen_range(5..240)),
                files: Vec::new(),
            });
        }
        inbox::upsert_inquiry(
            state,
            scope,
            s,
            IncomingInquiry {
                marketplace_inquiry_id: match m {
                    Marketplace::Yahoo => format!("{:064x}", rng.r#gen::<u128>()),
                    _ => format!("382817-{:04}{:02}{:02}-{}t", created.year(), created.month(), created.day(), 100 + k),
                },
                order_number,
                customer_name: Some(customer_name),
                subject: Some(subject.into()),
                created_at: created,
                completed: stage == 2,
                messages,
            },
        )
        .await?;
    }

    for (category, name, body) in [
        ("ご挨拶", "ご注文のお礼", "[出店モール店舗名]の[担当者名]です。この度はご注文いただきありがとうございます!"),
        (
            "ご挨拶",
            "お問い合わせのお礼",
            "[出店モール店舗名]の[担当者名]です。お問い合わせいただきありがとうございます。\n確認のうえ、改めてご連絡いたします。",
        ),
        (
            "発送",
            "発送のご連絡",
            "[出店モール店舗名]です。ご注文の商品を本日発送いたしました。\nお届けまで今しばらくお待ちください。\n\nご不明な点は [店舗電話番号] までお問い合わせください。",
        ),
        ("発送", "お届け日のご案内", "[担当者名]です。ご注文の商品は [お届け予定日] のお届け予定です。"),
        (
            "返品・キャンセル",
            "キャンセル承りました",
            "[出店モール店舗名]でございます。ご注文のキャンセルを承りました。\nまたのご利用をお待ちしております。\n[店舗メールアドレス]",
        ),
    ] {
        templates::create(db, &actor, category, name, body).await?;
    }
    tracing::info!(tenant = scope.tenant_id(), "demo data created");
    Ok(())
}

/// Points the demo shops at the marketplace simulator running in this process (`mallsim`),
/// with the simulator's demo credentials and auto-import on, so the whole pipeline (import,
/// inbox, live updates, replies going back) runs for real. Returns what the staff should know.
pub async fn connect_simulator(state: &AppState, sim_base: &str) -> AppResult<()> {
    use mallsim::demo as sim;
    let Some(st) = staff::Entity::find().filter(staff::Column::Email.eq(DEMO_EMAIL)).one(&state.db).await? else {
        return Ok(());
    };
    let actor = crate::auth::Actor::system(Scope::of_tenant(st.tenant_id), "デモ");
    for s in actor.scope.find::<shop::Entity>().all(&state.db).await? {
        let m = Marketplace::from(s.marketplace);
        let (prefix, credentials) = match m {
            Marketplace::Rakuten => (
                "rakuten",
                serde_json::json!({ "serviceSecret": sim::RAKUTEN_SERVICE_SECRET, "licenseKey": sim::RAKUTEN_LICENSE_KEY, "shopId": sim::RAKUTEN_SHOP_ID }),
            ),
            Marketplace::Yahoo => (
                "yahoo",
                serde_json::json!({ "sellerId": sim::YAHOO_SELLER_ID, "accessToken": sim::YAHOO_ACCESS_TOKEN }),
            ),
            Marketplace::AuPay => {
                ("aupay", serde_json::json!({ "shopId": sim::AUPAY_SHOP_ID, "apiKey": sim::AUPAY_API_KEY }))
            }
            Marketplace::Amazon => (
                "amazon",
                serde_json::json!({ "sellerId": sim::AMAZON_SELLER_ID, "marketplaceId": "A1VC38T7YXB528", "clientId": sim::AMAZON_CLIENT_ID, "clientSecret": sim::AMAZON_CLIENT_SECRET, "refreshToken": sim::AMAZON_REFRESH_TOKEN }),
            ),
            Marketplace::Rakuma => (
                "rakuma",
                serde_json::json!({ "email": sim::RAKUMA_EMAIL, "password": sim::RAKUMA_PASSWORD, "clientId": sim::RAKUMA_CLIENT_ID, "clientSecret": sim::RAKUMA_CLIENT_SECRET }),
            ),
            Marketplace::CustomCsv => continue,
        };
        shops::save(
            &state.db,
            &state.sealer,
            &state.policy,
            &actor,
            Some(s.id),
            ShopForSave {
                marketplace: Some(m),
                name: s.name.clone(),
                mall_shop_name: s.mall_shop_name.clone(),
                staff_name: s.staff_name.clone(),
                phone: s.phone.clone(),
                email: s.email.clone(),
                settings: Some(SettingsForSave {
                    api_base_url: Some(format!("{sim_base}/{prefix}")),
                    auto_import: Some(true),
                    credentials: Some(credentials),
                    ..Default::default()
                }),
            },
        )
        .await?;
    }
    Ok(())
}
