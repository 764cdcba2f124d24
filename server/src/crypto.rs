//! Secrets: marketplace credentials sealed at rest (XChaCha20-Poly1305 with the server key),
//! staff passwords (argon2id), and random bearer secrets stored as SHA-256 hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Seals and opens marketplace credentials. The key comes from `MADOGUCHI_SECRET_KEY`
/// (any string; its SHA-256 is the 256-bit key) or from a key file made on first start.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub fn from_secret(secret: &str) -> Self {
        let key = Sha256::digest(secret.as_bytes());
        Sealer { cipher: XChaCha20Poly1305::new(&key) }
    }

    /// `v1.<base64 nonce><base64 ciphertext>`
    pub fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self.cipher.encrypt(&nonce, plain.as_bytes()).map_err(|_| anyhow::anyhow!("sealing failed"))?;
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&ct);
        Ok(format!("v1.{}", STANDARD.encode(raw)))
    }

    pub fn open(&self, sealed: &str) -> anyhow::Result<String> {
        let raw =
            STANDARD.decode(sealed.strip_prefix("v1.").ok_or_else(|| anyhow::anyhow!("unknown sealing format"))?)?;
        anyhow::ensure!(raw.len() > 24, "sealed value too short");
        let (nonce, ct) = raw.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| anyhow::anyhow!("credentials cannot be opened with this MADOGUCHI_SECRET_KEY"))?;
        Ok(String::from_utf8(plain)?)
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A new random bearer secret with a recognisable prefix (`mdg_` for API tokens, `mds_` for sessions).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Bearer secrets are high-entropy, so a fast hash is the right tool (no salt needed).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_with_the_same_key() {
        let a = Sealer::from_secret("key-a");
        let sealed = a.seal(r#"{"licenseKey":"SL123"}"#).unwrap();
        assert!(!sealed.contains("SL123"));
        assert_eq!(a.open(&sealed).unwrap(), r#"{"licenseKey":"SL123"}"#);
        assert!(Sealer::from_secret("key-b").open(&sealed).is_err());
    }

    #[test]
    fn passwords_verify_only_when_equal() {
        let h = hash_password("madoguchi-demo").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("madoguchi-demo", &h));
        assert!(!verify_password("wrong", &h));
    }
}
