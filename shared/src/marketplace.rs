//! What each marketplace can do, and the attachment limits a reply must respect.
//!
//! The values come from MARKETPLACES.md ("What each marketplace can do", §1.5–1.6 for Rakuten,
//! §3 for Yahoo! Shopping). Everything that a marketplace does not publish is marked
//! `ASSUMED:` next to the value, so it can be corrected in one place when the real contract is
//! known.
//!
//! Attachments are checked here, before a reply is stored, so staff get a clear error up front
//! instead of a reply that later fails at the marketplace.

use std::fmt;

use crate::{Marketplace, SyncKind};

/// The longest file name (in characters, extension included) any marketplace accepts.
///
/// Rakuten: "filename ≤100 chars incl. extension" (MARKETPLACES.md §1.6).
/// ASSUMED: Yahoo! Shopping publishes no limit; the same 100 characters are applied there.
pub const FILE_NAME_MAX_CHARS: usize = 100;

/// Limits on the files attached to one reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// How many files one reply may carry.
    pub max_files: usize,
    /// The largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Accepted file name extensions: lower-case, without the dot (e.g. `"png"`).
    pub extensions: &'static [&'static str],
}

/// What the checks need to know about one file staff want to attach.
#[derive(Clone, Copy, Debug)]
pub struct AttachmentInfo<'a> {
    pub file_name: &'a str,
    /// The MIME type the browser or API client declared (may be empty).
    pub content_type: &'a str,
    /// Size in bytes.
    pub size: u64,
}

/// Why a set of attachments cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachmentError {
    /// The marketplace does not accept attachments at all.
    NotSupported { marketplace: Marketplace },
    /// More files than one reply may carry.
    TooMany { max: usize },
    /// One file is larger than the marketplace accepts.
    TooLarge { file_name: String, max_bytes: u64 },
    /// The file's extension (or its declared content type) is not accepted.
    TypeNotAllowed { file_name: String, allowed: &'static [&'static str] },
    /// The file has no content.
    Empty { file_name: String },
    /// The file name is longer than the marketplace accepts.
    NameTooLong { file_name: String, max_chars: usize },
}

impl fmt::Display for AttachmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentError::NotSupported { marketplace } => write!(
                f,
                "{}ではファイルを添付できません ({} does not accept attachments)",
                marketplace.label_ja(),
                marketplace.name_en()
            ),
            AttachmentError::TooMany { max } => write!(
                f,
                "添付できるファイルは{max}件までです (at most {max} {} can be attached)",
                if *max == 1 { "file" } else { "files" }
            ),
            AttachmentError::TooLarge { file_name, max_bytes } => write!(
                f,
                "ファイルサイズが上限({})を超えています: {file_name} (file exceeds {})",
                format_size(*max_bytes, false),
                format_size(*max_bytes, true)
            ),
            AttachmentError::TypeNotAllowed { file_name, allowed } => {
                let list = allowed.join(", ");
                write!(
                    f,
                    "添付できないファイル形式です: {file_name}(添付できる形式: {list}) \
                     (file type not allowed; allowed: {list})"
                )
            }
            AttachmentError::Empty { file_name } => {
                write!(f, "ファイルが空です: {file_name} (file is empty)")
            }
            AttachmentError::NameTooLong { file_name, max_chars } => write!(
                f,
                "ファイル名が長すぎます({max_chars}文字まで): {file_name} \
                 (file name is longer than {max_chars} characters)"
            ),
        }
    }
}

impl std::error::Error for AttachmentError {}

/// "5MB" (Japanese style) or "5 MB" (English style) for whole megabytes; KB or bytes otherwise.
fn format_size(bytes: u64, spaced: bool) -> String {
    let sep = if spaced { " " } else { "" };
    if bytes >= 1_000_000 && bytes.is_multiple_of(1_000_000) {
        format!("{}{sep}MB", bytes / 1_000_000)
    } else if bytes >= 1_000 && bytes.is_multiple_of(1_000) {
        format!("{}{sep}KB", bytes / 1_000)
    } else {
        format!("{bytes}{sep}bytes")
    }
}

/// The lower-case extension of a file name (text after the last dot), if it has one.
///
/// A name that is only an extension (".png") or ends with a dot has none.
pub fn file_extension(file_name: &str) -> Option<String> {
    let name = file_name.trim();
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// The MIME type Madoguchi uses for a file of this extension (lower-case, no dot), for the
/// attachment types any marketplace accepts.
pub fn content_type_for_extension(extension: &str) -> Option<&'static str> {
    match extension.to_ascii_lowercase().as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

/// Whether a declared content type agrees with the file's extension.
///
/// Choice: the extension decides the type (it is what the marketplaces check). A declared type
/// is compared case-insensitively, ignoring parameters such as `; charset=…`. An empty type or
/// `application/octet-stream` — what browsers and HTTP clients send when they do not know — is
/// accepted, because it contradicts nothing; any other declared type must be the one of the
/// extension (`image/png`, `image/jpeg`, `image/gif`, `application/pdf`; the old `image/pjpeg`
/// and the non-standard `image/jpg` are accepted for JPEG files).
fn content_type_consistent(extension: &str, content_type: &str) -> bool {
    let declared = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if declared.is_empty() || declared == "application/octet-stream" {
        return true;
    }
    match content_type_for_extension(extension) {
        Some("image/jpeg") => matches!(declared.as_str(), "image/jpeg" | "image/pjpeg" | "image/jpg"),
        Some(expected) => declared == expected,
        None => false,
    }
}

impl AttachmentLimits {
    /// Checks the files of one reply against these limits.
    ///
    /// Order of the checks: the number of files first, then each file in turn: empty, name
    /// length, type (extension from the file name, case-insensitive, and a consistent content
    /// type, see `content_type_consistent`), size. The first problem found is reported.
    pub fn check(&self, files: &[AttachmentInfo<'_>]) -> Result<(), AttachmentError> {
        if files.len() > self.max_files {
            return Err(AttachmentError::TooMany { max: self.max_files });
        }
        for file in files {
            let file_name = file.file_name.to_string();
            if file.size == 0 {
                return Err(AttachmentError::Empty { file_name });
            }
            if file.file_name.chars().count() > FILE_NAME_MAX_CHARS {
                return Err(AttachmentError::NameTooLong { file_name, max_chars: FILE_NAME_MAX_CHARS });
            }
            let allowed_type = match file_extension(file.file_name) {
                Some(ext) => {
                    self.extensions.contains(&ext.as_str()) && content_type_consistent(&ext, file.content_type)
                }
                None => false,
            };
            if !allowed_type {
                return Err(AttachmentError::TypeNotAllowed { file_name, allowed: self.extensions });
            }
            if file.size > self.max_bytes {
                return Err(AttachmentError::TooLarge { file_name, max_bytes: self.max_bytes });
            }
        }
        Ok(())
    }
}

/// Rakuten reply attachments (MARKETPLACES.md §1.5–1.6): at most 1 file per reply, ≤5 MB,
/// png/jpeg/jpg/gif/pdf, file name ≤100 characters ([`FILE_NAME_MAX_CHARS`]).
///
/// The page says "5MB" without saying which megabyte; the smaller reading (5,000,000 bytes) is
/// used so that a file Madoguchi accepts is never refused by Rakuten with a 413.
pub const RAKUTEN_ATTACHMENTS: AttachmentLimits =
    AttachmentLimits { max_files: 1, max_bytes: 5_000_000, extensions: &["png", "jpeg", "jpg", "gif", "pdf"] };

/// Yahoo! Shopping reply attachments (MARKETPLACES.md §3.2: `externalTalkFileAdd` accepts
/// JPEG/PNG/GIF/unencrypted PDF; `externalTalkAdd` takes a `fileList`).
///
/// Yahoo! publishes no count or size limit, so conservative values are used.
/// Whether a PDF is encrypted cannot be seen from its name; Yahoo! refuses such a file and the
/// reply then shows as failed with Yahoo!'s reason.
pub const YAHOO_ATTACHMENTS: AttachmentLimits = AttachmentLimits {
    // ASSUMED: one file per reply, as on Rakuten.
    max_files: 1,
    // ASSUMED: 5,000,000 bytes, as on Rakuten.
    max_bytes: 5_000_000,
    extensions: &["png", "jpeg", "jpg", "gif", "pdf"],
};

/// What Madoguchi can do with one marketplace: the one table every "can this marketplace do
/// X" question reads (server, connectors and browser app alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Madoguchi calls the marketplace's API (a connector exists in this build); the custom
    /// CSV shop has none: its orders come and go as files.
    pub api_connector: bool,
    /// Orders are imported (by API, or by CSV upload for the custom CSV shop).
    pub imports_orders: bool,
    /// Customer inquiries are imported into the inbox.
    pub imports_inquiries: bool,
    /// Staff can reply to inquiries through the marketplace.
    pub replies: bool,
    /// Attachment limits for replies; `None` when replies cannot carry files.
    pub attachments: Option<AttachmentLimits>,
    /// An inquiry can be marked completed (対応完了) on the marketplace.
    pub can_complete: bool,
    /// A completed inquiry can be set back to needs reply.
    pub can_reopen: bool,
    /// A new customer message on a completed inquiry reopens it (back to 返信が必要).
    pub customer_message_reopens: bool,
    /// The customer's name is never shown in the inbox, only the marketplace's masked id.
    pub hides_customer_name: bool,
    /// Completing needs at least one shop reply first.
    pub completion_needs_shop_reply: bool,
    /// Shipping information (発送情報) is pushed back (by API, or as a CSV download).
    pub exports_shipments: bool,
    /// The shop's evaluation of the buyer (ユーザ評価) is registered.
    pub registers_evaluations: bool,
    /// The marketplace gives no buyer details: the recipient is stored as the buyer too.
    pub buyer_is_recipient: bool,
    /// Only single-item accounts (1点ものアカウント) are supported.
    pub single_item_accounts_only: bool,
}

/// Nothing: the base the per-marketplace values start from.
const NOTHING: Capabilities = Capabilities {
    api_connector: false,
    imports_orders: false,
    imports_inquiries: false,
    replies: false,
    attachments: None,
    can_complete: false,
    can_reopen: false,
    customer_message_reopens: false,
    hides_customer_name: false,
    completion_needs_shop_reply: false,
    exports_shipments: false,
    registers_evaluations: false,
    buyer_is_recipient: false,
    single_item_accounts_only: false,
};

impl Capabilities {
    /// Whether runs of this kind exist for the marketplace at all (by API or, for the custom
    /// CSV shop, as a file).
    pub fn offers(&self, kind: SyncKind) -> bool {
        match kind {
            SyncKind::ImportOrders => self.imports_orders,
            SyncKind::ImportInquiries => self.imports_inquiries,
            SyncKind::ExportShipments => self.exports_shipments,
            SyncKind::ExportEvaluations => self.registers_evaluations,
        }
    }

    /// Whether runs of this kind are made by calling the marketplace's API.
    pub fn runs_through_api(&self, kind: SyncKind) -> bool {
        self.api_connector && self.offers(kind)
    }
}

impl Marketplace {
    /// What Madoguchi can do with this marketplace (MARKETPLACES.md, "What each marketplace
    /// can do").
    pub fn capabilities(self) -> Capabilities {
        match self {
            // searchOrder/getOrder, InquiryManagementAPI (complete ↔ incomplete reversible),
            // updateOrderShipping.
            Marketplace::Rakuten => Capabilities {
                api_connector: true,
                imports_orders: true,
                imports_inquiries: true,
                replies: true,
                attachments: Some(RAKUTEN_ATTACHMENTS),
                can_complete: true,
                can_reopen: true,
                customer_message_reopens: true,
                exports_shipments: true,
                ..NOTHING
            },
            // orderList/orderInfo, externalTalk* (complete is one-way and, for the normal
            // completion condition, needs a prior shop reply), orderShipStatusChange; buyers
            // appear only as masked ids in inquiries.
            Marketplace::Yahoo => Capabilities {
                api_connector: true,
                imports_orders: true,
                imports_inquiries: true,
                replies: true,
                attachments: Some(YAHOO_ATTACHMENTS),
                can_complete: true,
                can_reopen: false,
                customer_message_reopens: false,
                hides_customer_name: true,
                completion_needs_shop_reply: true,
                exports_shipments: true,
                ..NOTHING
            },
            // Orders, 発送通知 and 評価 over the (assumed) shop API; no buyer details; only
            // 1点ものアカウント. Inquiries are not imported.
            Marketplace::Rakuma => Capabilities {
                api_connector: true,
                imports_orders: true,
                exports_shipments: true,
                registers_evaluations: true,
                buyer_is_recipient: true,
                single_item_accounts_only: true,
                ..NOTHING
            },
            // searchTradeInfoListProc, updateTradeInfoProc; no inquiry API.
            Marketplace::AuPay => {
                Capabilities { api_connector: true, imports_orders: true, exports_shipments: true, ..NOTHING }
            }
            // getOrders only: shipping confirmation is out of scope at first, and the Messaging
            // API cannot read buyer messages.
            Marketplace::Amazon => Capabilities { api_connector: true, imports_orders: true, ..NOTHING },
            // CSV upload in, CSV download out.
            Marketplace::CustomCsv => Capabilities { imports_orders: true, exports_shipments: true, ..NOTHING },
        }
    }

    /// The marketplace's name in English, for the English half of messages.
    pub fn name_en(self) -> &'static str {
        match self {
            Marketplace::Rakuten => "Rakuten",
            Marketplace::Yahoo => "Yahoo! Shopping",
            Marketplace::Rakuma => "Rakuma",
            Marketplace::AuPay => "au PAY Market",
            Marketplace::Amazon => "Amazon",
            Marketplace::CustomCsv => "the custom CSV shop",
        }
    }
}

/// Checks the files of one reply on `marketplace`.
///
/// No files is always fine. Files on a marketplace whose replies cannot carry attachments are
/// refused with [`AttachmentError::NotSupported`].
pub fn check_attachments(marketplace: Marketplace, files: &[AttachmentInfo<'_>]) -> Result<(), AttachmentError> {
    if files.is_empty() {
        return Ok(());
    }
    match marketplace.capabilities().attachments {
        Some(limits) => limits.check(files),
        None => Err(AttachmentError::NotSupported { marketplace }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(file_name: &'a str, content_type: &'a str, size: u64) -> AttachmentInfo<'a> {
        AttachmentInfo { file_name, content_type, size }
    }

    #[test]
    fn rakuten_accepts_one_png_of_up_to_five_megabytes() {
        let ok = [file("receipt.png", "image/png", 5_000_000)];
        assert_eq!(check_attachments(Marketplace::Rakuten, &ok), Ok(()));
    }

    #[test]
    fn rakuten_accepts_png_jpeg_jpg_gif_and_pdf() {
        for (name, ty) in [
            ("a.png", "image/png"),
            ("a.jpeg", "image/jpeg"),
            ("a.jpg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.pdf", "application/pdf"),
        ] {
            assert_eq!(check_attachments(Marketplace::Rakuten, &[file(name, ty, 10)]), Ok(()), "{name}");
        }
    }

    #[test]
    fn rakuten_refuses_a_second_file() {
        let two = [file("a.png", "image/png", 10), file("b.png", "image/png", 10)];
        assert_eq!(check_attachments(Marketplace::Rakuten, &two), Err(AttachmentError::TooMany { max: 1 }));
    }

    #[test]
    fn rakuten_refuses_a_file_over_five_megabytes() {
        let big = [file("a.png", "image/png", 5_000_001)];
        assert_eq!(
            check_attachments(Marketplace::Rakuten, &big),
            Err(AttachmentError::TooLarge { file_name: "a.png".into(), max_bytes: 5_000_000 })
        );
    }

    #[test]
    fn rakuten_refuses_a_file_name_over_one_hundred_characters() {
        let name_100 = format!("{}.png", "あ".repeat(96));
        let name_101 = format!("{}.png", "あ".repeat(97));
        assert_eq!(check_attachments(Marketplace::Rakuten, &[file(&name_100, "image/png", 1)]), Ok(()));
        assert_eq!(
            check_attachments(Marketplace::Rakuten, &[file(&name_101, "image/png", 1)]),
            Err(AttachmentError::NameTooLong { file_name: name_101.clone(), max_chars: 100 })
        );
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(
            check_attachments(Marketplace::Rakuten, &[file("a.pdf", "application/pdf", 0)]),
            Err(AttachmentError::Empty { file_name: "a.pdf".into() })
        );
    }

    #[test]
    fn extension_is_taken_from_the_file_name_case_insensitively() {
        assert_eq!(check_attachments(Marketplace::Rakuten, &[file("PHOTO.JPG", "image/jpeg", 1)]), Ok(()));
        assert_eq!(check_attachments(Marketplace::Yahoo, &[file("Scan.Pdf", "application/pdf", 1)]), Ok(()));
    }

    #[test]
    fn other_file_types_are_refused_with_the_allowed_list() {
        for name in ["a.zip", "a.exe", "a.png.exe", "noextension", ".png", "a."] {
            assert_eq!(
                check_attachments(Marketplace::Rakuten, &[file(name, "", 1)]),
                Err(AttachmentError::TypeNotAllowed {
                    file_name: name.into(),
                    allowed: RAKUTEN_ATTACHMENTS.extensions
                }),
                "{name}"
            );
        }
    }

    #[test]
    fn a_content_type_that_contradicts_the_extension_is_refused() {
        for (name, ty) in [("a.png", "application/pdf"), ("a.pdf", "image/png"), ("a.jpg", "text/html")] {
            assert!(
                matches!(
                    check_attachments(Marketplace::Rakuten, &[file(name, ty, 1)]),
                    Err(AttachmentError::TypeNotAllowed { .. })
                ),
                "{name} as {ty}"
            );
        }
    }

    #[test]
    fn an_unknown_or_generic_content_type_is_decided_by_the_extension() {
        for ty in ["", "application/octet-stream", "IMAGE/PNG", "image/png; charset=binary"] {
            assert_eq!(check_attachments(Marketplace::Rakuten, &[file("a.png", ty, 1)]), Ok(()), "{ty:?}");
        }
        assert_eq!(check_attachments(Marketplace::Rakuten, &[file("a.jpg", "image/pjpeg", 1)]), Ok(()));
    }

    #[test]
    fn yahoo_accepts_jpeg_png_gif_and_pdf_within_the_assumed_limits() {
        assert_eq!(check_attachments(Marketplace::Yahoo, &[file("a.gif", "image/gif", 5_000_000)]), Ok(()));
        assert!(check_attachments(Marketplace::Yahoo, &[file("a.gif", "image/gif", 5_000_001)]).is_err());
        assert!(check_attachments(Marketplace::Yahoo, &[file("a.bmp", "image/bmp", 1)]).is_err());
    }

    #[test]
    fn marketplaces_without_replies_refuse_attachments() {
        for m in [Marketplace::Rakuma, Marketplace::AuPay, Marketplace::Amazon, Marketplace::CustomCsv] {
            assert_eq!(
                check_attachments(m, &[file("a.png", "image/png", 1)]),
                Err(AttachmentError::NotSupported { marketplace: m })
            );
        }
    }

    #[test]
    fn no_files_is_always_fine() {
        for m in Marketplace::ALL {
            assert_eq!(check_attachments(*m, &[]), Ok(()));
        }
    }

    #[test]
    fn attachment_errors_speak_japanese_first_then_english() {
        let e = AttachmentError::TooLarge { file_name: "a.png".into(), max_bytes: 5_000_000 };
        assert_eq!(e.to_string(), "ファイルサイズが上限(5MB)を超えています: a.png (file exceeds 5 MB)");
        let e = AttachmentError::NotSupported { marketplace: Marketplace::Amazon };
        assert_eq!(e.to_string(), "Amazonではファイルを添付できません (Amazon does not accept attachments)");
        let e = AttachmentError::TooMany { max: 1 };
        assert_eq!(e.to_string(), "添付できるファイルは1件までです (at most 1 file can be attached)");
        let e = AttachmentError::TypeNotAllowed { file_name: "a.zip".into(), allowed: &["png", "pdf"] };
        assert_eq!(
            e.to_string(),
            "添付できないファイル形式です: a.zip(添付できる形式: png, pdf) (file type not allowed; allowed: png, pdf)"
        );
    }

    #[test]
    fn rakuten_inquiries_are_reopenable_and_named() {
        let c = Marketplace::Rakuten.capabilities();
        assert!(c.imports_orders && c.imports_inquiries && c.replies && c.can_complete);
        assert!(c.can_reopen && c.customer_message_reopens);
        assert!(!c.hides_customer_name && !c.completion_needs_shop_reply);
        assert_eq!(c.attachments, Some(RAKUTEN_ATTACHMENTS));
        assert!(c.exports_shipments);
    }

    #[test]
    fn yahoo_hides_names_and_completion_is_one_way_after_a_shop_reply() {
        let c = Marketplace::Yahoo.capabilities();
        assert!(c.imports_inquiries && c.replies && c.can_complete);
        assert!(!c.can_reopen && !c.customer_message_reopens);
        assert!(c.hides_customer_name && c.completion_needs_shop_reply);
        assert_eq!(c.attachments, Some(YAHOO_ATTACHMENTS));
    }

    #[test]
    fn rakuma_has_orders_shipments_and_evaluations_but_no_inquiries() {
        let c = Marketplace::Rakuma.capabilities();
        assert!(c.imports_orders && c.exports_shipments && c.registers_evaluations);
        assert!(c.buyer_is_recipient && c.single_item_accounts_only);
        assert!(!c.imports_inquiries && !c.replies && c.attachments.is_none());
    }

    #[test]
    fn au_pay_amazon_and_custom_csv_have_orders_only_plus_shipment_export_where_offered() {
        let au = Marketplace::AuPay.capabilities();
        assert!(au.imports_orders && au.exports_shipments && !au.imports_inquiries);
        let amazon = Marketplace::Amazon.capabilities();
        assert_eq!(amazon, Capabilities { api_connector: true, imports_orders: true, ..NOTHING });
        let csv = Marketplace::CustomCsv.capabilities();
        assert!(csv.imports_orders && csv.exports_shipments && !csv.imports_inquiries);
    }

    #[test]
    fn only_rakuma_registers_evaluations_and_has_buyer_as_recipient() {
        for m in Marketplace::ALL {
            let c = m.capabilities();
            assert_eq!(c.registers_evaluations, *m == Marketplace::Rakuma);
            assert_eq!(c.buyer_is_recipient, *m == Marketplace::Rakuma);
            // Replies and attachments only exist where inquiries do.
            assert!(!c.replies || c.imports_inquiries);
            assert!(c.attachments.is_none() || c.replies);
        }
    }

    #[test]
    fn every_marketplace_but_the_custom_csv_shop_has_an_api_connector() {
        for m in Marketplace::ALL {
            assert_eq!(m.capabilities().api_connector, *m != Marketplace::CustomCsv, "{m:?}");
        }
    }

    #[test]
    fn runs_through_the_api_are_the_offered_runs_of_marketplaces_with_a_connector() {
        use SyncKind::*;
        let api = |m: Marketplace| {
            [ImportOrders, ImportInquiries, ExportShipments, ExportEvaluations]
                .into_iter()
                .filter(|k| m.capabilities().runs_through_api(*k))
                .collect::<Vec<_>>()
        };
        assert_eq!(api(Marketplace::Rakuten), [ImportOrders, ImportInquiries, ExportShipments]);
        assert_eq!(api(Marketplace::Yahoo), [ImportOrders, ImportInquiries, ExportShipments]);
        assert_eq!(api(Marketplace::Amazon), [ImportOrders]);
        assert_eq!(api(Marketplace::AuPay), [ImportOrders, ExportShipments]);
        assert_eq!(api(Marketplace::Rakuma), [ImportOrders, ExportShipments, ExportEvaluations]);
        assert_eq!(api(Marketplace::CustomCsv), []);
        // The custom CSV shop offers orders in and shipments out, as files.
        let csv = Marketplace::CustomCsv.capabilities();
        assert!(csv.offers(ImportOrders) && csv.offers(ExportShipments));
        assert!(!csv.offers(ImportInquiries) && !csv.offers(ExportEvaluations));
    }

    #[test]
    fn content_types_are_known_for_every_allowed_extension() {
        for ext in RAKUTEN_ATTACHMENTS.extensions.iter().chain(YAHOO_ATTACHMENTS.extensions) {
            assert!(content_type_for_extension(ext).is_some(), "{ext}");
        }
        assert_eq!(file_extension("a.tar.GZ").as_deref(), Some("gz"));
    }
}
