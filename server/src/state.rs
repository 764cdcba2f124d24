//! The one shared state of a running server.

use std::sync::Arc;

use object_store::ObjectStore;
use sea_orm::DatabaseConnection;

use crate::crypto::Sealer;
use crate::events::EventBus;

/// The server's shared state, one `Arc` to clone: every request, socket, operation and live
/// stream holds a copy, so a copy is a pointer (thousands of idle subscriptions each hold a few).
/// Its parts are read through `Deref` (`state.db`, `state.events`, …).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }

    /// The same state with the first-start setup code this process shows.
    pub fn with_setup(&self, setup: Arc<crate::setup::SetupCode>) -> Self {
        AppState::new(Shared { setup, ..(*self.0).clone() })
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Clone)]
pub struct Shared {
    pub db: DatabaseConnection,
    pub events: EventBus,
    /// Attachment bytes: a local folder by default, any object store in production.
    pub files: Arc<dyn ObjectStore>,
    pub sealer: Sealer,
    pub policy: Arc<Policy>,
    /// Sign-in limits, the bound on password checks, the session idle timeout.
    pub sessions: Arc<crate::auth::Sessions>,
    /// The first-start setup code of this process (none when the database had a tenant).
    pub setup: Arc<crate::setup::SetupCode>,
    /// This process's side of the run queue: its name in `sync_run.claimed_by`, its workers'
    /// wake-up, the runs it works on.
    pub sync: Arc<crate::sync::SyncQueue>,
    /// One read per live event for all the subscribers it wakes.
    pub live: crate::graphql::live_reads::LiveReads,
}

/// What the operator decided at start.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `--allow-private-urls`: marketplace base URLs (and webhook endpoints) may be plain http
    /// and resolve to loopback or private addresses. On for the demo and the tests (the
    /// simulator runs on loopback); off in production.
    pub allow_private_urls: bool,
    /// `--public-url`: how browsers reach this server (`https://…` makes the session cookie
    /// `Secure` and names the origin cookie-authenticated requests must come from).
    pub public_url: Option<String>,
}

/// Where attachment bytes are kept, from `--attachments-url`: `file:///path` (a folder; by
/// default `files/` in the data folder) or `s3://bucket/prefix?endpoint=…&region=…` (any
/// S3-compatible store). S3 credentials come from the usual AWS environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, …); further
/// query parameters are object_store's S3 options by name (`access_key_id`, `skip_signature`,
/// `virtual_hosted_style_request`, …). An `http://` endpoint is allowed only because it was
/// named (a local S3 server); the default is https.
pub fn open_files(attachments_url: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<Arc<dyn ObjectStore>> {
    use anyhow::{Context as _, bail};
    let Some(raw) = attachments_url.map(str::trim).filter(|u| !u.is_empty()) else {
        let dir = data_dir.join("files");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        return Ok(Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&dir)?));
    };
    let url = url::Url::parse(raw)
        .with_context(|| "--attachments-url is not a URL (file:///folder or s3://bucket/prefix)")?;
    match url.scheme() {
        "file" => {
            let dir = url.to_file_path().map_err(|()| {
                anyhow::anyhow!("--attachments-url: a file URL names an absolute folder (file:///srv/madoguchi/files)")
            })?;
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            Ok(Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&dir)?))
        }
        "s3" => {
            use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
            let Some(bucket) = url.host_str().filter(|b| !b.is_empty()) else {
                bail!("--attachments-url: name the bucket, s3://bucket/prefix");
            };
            let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
            for (k, v) in url.query_pairs() {
                match k.as_ref() {
                    "endpoint" => {
                        if v.starts_with("http://") {
                            b = b.with_allow_http(true);
                        }
                        b = b.with_endpoint(v.as_ref());
                    }
                    "region" => b = b.with_region(v.as_ref()),
                    other => {
                        let key: AmazonS3ConfigKey = other
                            .parse()
                            .map_err(|_| anyhow::anyhow!("--attachments-url: unknown S3 option `{other}`"))?;
                        b = b.with_config(key, v.as_ref());
                    }
                }
            }
            let store = b.build().with_context(|| "--attachments-url: the S3 store")?;
            let prefix = url.path().trim_matches('/');
            if prefix.is_empty() {
                Ok(Arc::new(store))
            } else {
                Ok(Arc::new(object_store::prefix::PrefixStore::new(store, prefix)))
            }
        }
        other => bail!("--attachments-url: `{other}:` is not supported (file:// or s3://)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_go_to_the_data_folder_unless_a_url_says_otherwise() {
        let dir = std::env::temp_dir().join(format!("madoguchi_files_{:x}", rand::random::<u64>()));
        assert!(open_files(None, &dir).is_ok());
        assert!(dir.join("files").is_dir());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_attachments_url_of_another_kind_or_with_unknown_options_is_refused() {
        let dir = std::env::temp_dir();
        for bad in ["ftp://host/x", "s3:///prefix", "s3://b/p?colour=blue", "not a url"] {
            assert!(open_files(Some(bad), &dir).is_err(), "{bad}");
        }
        assert!(open_files(Some("s3://bucket/prefix?endpoint=http://127.0.0.1:9&region=us-east-1"), &dir).is_ok());
    }
}
