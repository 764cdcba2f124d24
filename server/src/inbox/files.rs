//! Attachment bytes: stored under generated keys, recognised by their first bytes.

use super::*;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::attachment;

/// Puts an attachment's bytes in the object store under a new, generated key of the tenant
/// (`t{tenant}/{random}`); returns the key. The file's name is never part of the key — it is
/// kept as the attachment's metadata — so a name of any length or script is stored alike.
pub(crate) async fn store_file(state: &AppState, scope: Scope, bytes: bytes::Bytes) -> AppResult<String> {
    let key = format!("t{}/{}", scope.tenant_id(), crate::crypto::new_secret(""));
    state.files.put(&object_store::path::Path::from(key.as_str()), bytes.into()).await.map_err(AppError::internal)?;
    Ok(key)
}

/// An attachment's bytes as `/files/{id}` serves them.
pub struct AttachmentFile {
    pub file_name: String,
    pub bytes: bytes::Bytes,
}

/// An attachment of the caller's tenant with its bytes. `None` when it does not exist, belongs
/// to another tenant, or its bytes are not here (a customer file not downloaded yet).
pub async fn attachment_file(state: &AppState, actor: &Actor, id: i64) -> AppResult<Option<AttachmentFile>> {
    let Some(row) = actor.scope.get::<attachment::Entity>(&state.db, id).await? else {
        return Ok(None);
    };
    let Ok(found) = state.files.get(&object_store::path::Path::from(row.storage_key.as_str())).await else {
        return Ok(None);
    };
    let bytes = found.bytes().await.map_err(AppError::internal)?;
    Ok(Some(AttachmentFile { file_name: row.file_name, bytes }))
}

/// The largest file a customer's message may bring in (downloaded from the marketplace by an
/// import); a larger one is not stored and the run names it.
pub const CUSTOMER_FILE_MAX_BYTES: usize = 10_000_000;

/// The type the first bytes of a file show (its "magic number"), for the types replies may
/// carry: PNG, JPEG, GIF and PDF.
pub fn sniffed_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// An outgoing file's bytes must be what its name (and declared type) say: a `.png` that is
/// really an HTML page or an executable is refused.
pub(crate) fn check_file_contents(files: &[NewAttachment]) -> AppResult<()> {
    for f in files {
        let expected = shared::marketplace::file_extension(&f.file_name)
            .and_then(|ext| shared::marketplace::content_type_for_extension(&ext));
        let actual = sniffed_type(&f.bytes);
        if expected.is_none() || actual != expected {
            return Err(AppError::validation(
                "attachments",
                format!(
                    "ファイル「{}」の中身がファイルの種類と一致しません (the bytes of {} are not a {} file)",
                    f.file_name,
                    f.file_name,
                    expected.unwrap_or("known")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_file_is_recognised_by_its_first_bytes() {
        assert_eq!(sniffed_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniffed_type(b"\xff\xd8\xff\xe0..JFIF"), Some("image/jpeg"));
        assert_eq!(sniffed_type(b"GIF89a...."), Some("image/gif"));
        assert_eq!(sniffed_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniffed_type(b"<html>"), None);
        assert_eq!(sniffed_type(b"MZ\x90\0"), None);
        assert_eq!(sniffed_type(b""), None);
    }
}
