//! First start: while the database has no tenant, the server makes a one-time setup code at
//! start (printed to the operator) and the browser app offers a setup form. The form creates the
//! first tenant and its admin once — only with that code — and signs the admin in.
//!
//! "Once" holds in the database, across processes: the tenant is created in a transaction that
//! first takes a write lock (PostgreSQL: a transaction-level advisory lock; SQLite: a write,
//! which makes other writers wait) and then checks that no tenant exists.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use shared::Role;
use subtle::ConstantTimeEq;

use crate::error::{AppError, AppResult};
use crate::provision;
use crate::store::entities::tenant;
use shared::template::FieldError;

/// The PostgreSQL advisory lock key under which the first tenant is created.
const SETUP_LOCK: i64 = 0x6d61_646f_7365_7475; // "madosetu"

/// The setup code of this process: made at start when the database had no tenant.
#[derive(Debug, Default)]
pub struct SetupCode {
    code: Option<String>,
}

impl SetupCode {
    /// A fresh random code (16 characters, easy to type: no 0/O, 1/l/I).
    pub fn generate() -> Self {
        use rand::Rng as _;
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        let code: String = (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
        SetupCode { code: Some(code) }
    }

    /// No code: the database had a tenant at start, so setup is never offered by this process.
    pub fn none() -> Self {
        SetupCode { code: None }
    }

    /// The code, to show the operator (and for tests).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Constant-time comparison; spaces and dashes the operator may type are ignored.
    pub fn matches(&self, given: &str) -> bool {
        let Some(code) = &self.code else { return false };
        let given: String =
            given.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        code.as_bytes().ct_eq(given.as_bytes()).into()
    }
}

/// Whether the database has no tenant yet (setup is needed).
pub async fn needed(db: &impl ConnectionTrait) -> AppResult<bool> {
    Ok(tenant::Entity::find().count(db).await? == 0)
}

/// The setup form.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupForm {
    /// 会社名: the tenant's name.
    pub company_name: String,
    /// 管理者の名前.
    pub admin_name: String,
    /// メールアドレス.
    pub email: String,
    /// パスワード.
    pub password: String,
    /// セットアップコード.
    pub setup_code: String,
}

/// Why setup did not happen.
#[derive(Debug)]
pub enum SetupError {
    /// The code is missing or wrong (`SETUP_CODE_INVALID`).
    CodeInvalid,
    /// A tenant exists already (`ALREADY_SET_UP`).
    AlreadySetUp,
    Failed(AppError),
}

impl From<AppError> for SetupError {
    fn from(e: AppError) -> Self {
        SetupError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for SetupError {
    fn from(e: sea_orm::DbErr) -> Self {
        SetupError::Failed(e.into())
    }
}

pub const NAME_MAX: usize = 50;
pub const COMPANY_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

/// The rules of the admin account made at setup or with `madoguchi tenant create` (as for staff
/// made in the app: a name of 1–50 characters, a password of 10–128).
pub fn check_admin(company: &str, name: &str, email: &str, password: &str) -> AppResult<()> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| {
        errors.push(FieldError { field: field.to_owned(), message: message.to_owned() });
    };
    let n = company.trim().chars().count();
    if n == 0 || n > COMPANY_MAX {
        err("companyName", "会社名は1〜100文字で入力してください (company name must be 1-100 characters)");
    }
    let n = name.trim().chars().count();
    if n == 0 || n > NAME_MAX {
        err("adminName", "氏名は1〜50文字で入力してください (name must be 1-50 characters)");
    }
    let email = email.trim();
    let at = email.find('@');
    if email.len() > 254 || !at.is_some_and(|i| i > 0 && i + 1 < email.len()) || email.contains(char::is_whitespace) {
        err("email", "メールアドレスの形式が正しくありません (not an e-mail address)");
    }
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        err("password", "パスワードは10文字以上にしてください (password must be at least 10 characters)");
    } else if n > PASSWORD_MAX {
        err("password", "パスワードは128文字以内にしてください (password must be at most 128 characters)");
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::from_field_errors(errors)) }
}

/// Creates the first tenant and its admin, if the code is right and no tenant exists — once,
/// whichever process and however many at once. Returns the tenant's id.
pub async fn run(db: &DatabaseConnection, code: &SetupCode, form: &SetupForm) -> Result<i64, SetupError> {
    if !code.matches(&form.setup_code) {
        // Also after setup, so a wrong code tells nothing about the state.
        return Err(SetupError::CodeInvalid);
    }
    check_admin(&form.company_name, &form.admin_name, &form.email, &form.password)?;
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::crypto::hash_password(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let txn = crate::store::begin_write(db).await?;
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [SETUP_LOCK.into()],
            ))
            .await?;
        }
        _ => {
            // A write as the first statement takes SQLite's write lock: another setup waits here
            // (busy timeout) and then sees this one's tenant.
            txn.execute_unprepared("UPDATE tenant SET name = name WHERE 1 = 0").await?;
        }
    }
    if !needed(&txn).await? {
        return Err(SetupError::AlreadySetUp);
    }
    let tenant = provision::create_tenant(&txn, form.company_name.trim(), false).await?;
    provision::create_staff_with_hash(&txn, &tenant, &form.email, &form.admin_name, Role::Admin, hash).await?;
    txn.commit().await?;
    Ok(tenant.scope.tenant_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_matches_itself_typed_loosely_and_nothing_else() {
        let code = SetupCode::generate();
        let c = code.code().unwrap().to_owned();
        assert_eq!(c.len(), 16);
        assert!(code.matches(&c));
        assert!(code.matches(&format!(" {}-{} ", c[..8].to_lowercase(), &c[8..])));
        assert!(!code.matches(&c[..15]));
        assert!(!code.matches(""));
        assert!(!code.matches(&format!("{c}A")));
    }

    #[test]
    fn without_a_code_nothing_matches() {
        assert!(!SetupCode::none().matches(""));
        assert!(!SetupCode::none().matches("ABCDEFGHJKMNPQRS"));
    }

    #[test]
    fn admin_details_follow_the_staff_rules() {
        assert!(check_admin("会社", "名前", "a@example.jp", "0123456789").is_ok());
        for (company, name, email, password, field) in [
            ("", "名前", "a@example.jp", "0123456789", "companyName"),
            ("会社", " ", "a@example.jp", "0123456789", "adminName"),
            ("会社", "名前", "@example.jp", "0123456789", "email"),
            ("会社", "名前", "a@example.jp", "012345678", "password"),
        ] {
            match check_admin(company, name, email, password) {
                Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
