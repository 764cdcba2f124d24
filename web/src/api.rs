//! Talking to the server over HTTP: typed GraphQL operations (`shared::ops`) at `POST /graphql`,
//! and the staff login at `/auth/login` / `/auth/logout`. Same origin; the session cookie goes
//! along with every request.

use std::cell::RefCell;
use std::fmt;

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use shared::ops::{self, GraphqlError, Operation};
use web_sys::RequestCredentials;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (offline, server down).
    Network(String),
    /// An HTTP status other than 200 without a GraphQL body.
    Http(u16),
    /// No valid session (HTTP 401 or `UNAUTHENTICATED`).
    Unauthenticated,
    /// GraphQL errors, in the order the server gave them.
    Graphql(Vec<GraphqlFailure>),
    /// The answer could not be read.
    Decode(String),
}

/// One GraphQL error, as much of it as the screens use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphqlFailure {
    pub message: String,
    pub code: Option<String>,
    pub field: Option<String>,
}

impl From<&GraphqlError> for GraphqlFailure {
    fn from(e: &GraphqlError) -> Self {
        GraphqlFailure {
            message: e.message.clone(),
            code: e.code().map(str::to_string),
            field: e.field().map(str::to_string),
        }
    }
}

impl ApiError {
    /// The `extensions.code` of the first GraphQL error.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Unauthenticated => Some("UNAUTHENTICATED"),
            ApiError::Graphql(errors) => errors.first()?.code.as_deref(),
            _ => None,
        }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code() == Some(code)
    }

    /// The message of the first error about input `field` (`VALIDATION` with
    /// `extensions.field`). A field given as a path (`input.name`) matches its last part.
    pub fn field_message(&self, field: &str) -> Option<String> {
        let ApiError::Graphql(errors) = self else { return None };
        errors
            .iter()
            .find(|e| e.field.as_deref().is_some_and(|f| f == field || f.rsplit('.').next() == Some(field)))
            .map(|e| e.message.clone())
    }

    /// Whether any error names an input field (so the form shows them beside the fields).
    pub fn has_field_errors(&self) -> bool {
        matches!(self, ApiError::Graphql(errors) if errors.iter().any(|e| e.field.is_some()))
    }
}

impl fmt::Display for ApiError {
    /// A sentence for staff. Server messages are shown as they are (they are written for staff,
    /// Japanese first); transport problems get a Japanese explanation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(_) => f.write_str("サーバーに接続できません。通信状態を確認してください。"),
            ApiError::Http(status) => write!(f, "サーバーエラーが発生しました (HTTP {status})。"),
            ApiError::Unauthenticated => f.write_str("ログインの有効期限が切れました。もう一度ログインしてください。"),
            ApiError::Decode(_) => f.write_str("サーバーの応答を読み取れませんでした。"),
            ApiError::Graphql(errors) => match errors.first() {
                Some(e) if e.code.as_deref() == Some("API_OPTION_REQUIRED") && e.message.is_empty() => {
                    f.write_str("この機能にはAPIオプションの契約が必要です。")
                }
                Some(e) => f.write_str(&e.message),
                None => f.write_str("不明なエラーが発生しました。"),
            },
        }
    }
}

/// Lets a failed call travel through an `ErrorBoundary`.
impl std::error::Error for ApiError {}

thread_local! {
    static ON_UNAUTHENTICATED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what happens when any call finds the session gone (the app shows the login).
pub fn set_unauthenticated_hook(hook: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

fn unauthenticated() -> ApiError {
    ON_UNAUTHENTICATED.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook();
        }
    });
    ApiError::Unauthenticated
}

async fn post_json<B: serde::Serialize>(path: &str, body: &B) -> Result<Response, ApiError> {
    Request::post(path)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .json(body)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// Runs one operation and returns its `data`, or the first problem.
pub async fn gql<O: Operation>(vars: O::Variables) -> Result<O::Data, ApiError> {
    let response = post_json("/graphql", &ops::request::<O>(vars)).await?;
    read_response::<O::Data>(response).await
}

/// Runs one operation with files, as a GraphQL multipart request
/// (github.com/jaydenseric/graphql-multipart-request-spec): each file fills one `null` of the
/// list at `files_at` (a path inside the variables, e.g. `input.attachments`).
pub async fn gql_with_files<O: Operation>(
    vars: O::Variables,
    files_at: &str,
    files: &[web_sys::File],
) -> Result<O::Data, ApiError> {
    let mut operations = serde_json::to_value(ops::request::<O>(vars)).map_err(|e| ApiError::Decode(e.to_string()))?;
    let mut slot = &mut operations["variables"];
    for key in files_at.split('.') {
        slot = &mut slot[key];
    }
    *slot = serde_json::Value::Array(vec![serde_json::Value::Null; files.len()]);
    let map: serde_json::Map<String, serde_json::Value> =
        (0..files.len()).map(|i| (i.to_string(), serde_json::json!([format!("variables.{files_at}.{i}")]))).collect();

    let form = web_sys::FormData::new().map_err(|_| ApiError::Decode("FormData".into()))?;
    let js = |_| ApiError::Decode("FormData".into());
    form.append_with_str("operations", &operations.to_string()).map_err(js)?;
    form.append_with_str("map", &serde_json::Value::Object(map).to_string()).map_err(js)?;
    for (i, file) in files.iter().enumerate() {
        form.append_with_blob_and_filename(&i.to_string(), file, &file.name()).map_err(js)?;
    }
    post_form::<O::Data>(form).await
}

/// Runs one operation with a single file, as a GraphQL multipart request: the file fills the
/// `null` at `file_at` (a path inside the variables, e.g. `input.file`), as part `0`.
pub async fn gql_with_file<O: Operation>(
    vars: O::Variables,
    file_at: &str,
    file: &web_sys::File,
) -> Result<O::Data, ApiError> {
    let mut operations = serde_json::to_value(ops::request::<O>(vars)).map_err(|e| ApiError::Decode(e.to_string()))?;
    let mut slot = &mut operations["variables"];
    for key in file_at.split('.') {
        slot = &mut slot[key];
    }
    *slot = serde_json::Value::Null;
    let map = serde_json::json!({ "0": [format!("variables.{file_at}")] });

    let js = |_| ApiError::Decode("FormData".into());
    let form = web_sys::FormData::new().map_err(js)?;
    form.append_with_str("operations", &operations.to_string()).map_err(js)?;
    form.append_with_str("map", &map.to_string()).map_err(js)?;
    form.append_with_blob_and_filename("0", file, &file.name()).map_err(js)?;
    post_form::<O::Data>(form).await
}

/// POSTs a GraphQL multipart request (the session cookie authenticates it).
async fn post_form<D: serde::de::DeserializeOwned>(form: web_sys::FormData) -> Result<D, ApiError> {
    let response = Request::post("/graphql")
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .body(form)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read_response::<D>(response).await
}

async fn read_response<D: serde::de::DeserializeOwned>(response: Response) -> Result<D, ApiError> {
    let status = response.status();
    if status == 401 {
        return Err(unauthenticated());
    }
    let text = response.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let body: ops::Response<D> = match serde_json::from_str(&text) {
        Ok(body) => body,
        Err(_) if status != 200 => return Err(ApiError::Http(status)),
        Err(e) => return Err(ApiError::Decode(e.to_string())),
    };
    if !body.errors.is_empty() {
        if body.errors.iter().any(|e| e.code() == Some("UNAUTHENTICATED")) {
            return Err(unauthenticated());
        }
        return Err(ApiError::Graphql(body.errors.iter().map(GraphqlFailure::from).collect()));
    }
    body.data.ok_or_else(|| ApiError::Decode("no data".into()))
}

#[derive(serde::Serialize)]
struct Credentials<'a> {
    email: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
struct AuthError {
    error: String,
}

/// `POST /auth/login`; on success the server has set the session cookie.
pub async fn login(email: &str, password: &str) -> Result<(), String> {
    let response = post_json("/auth/login", &Credentials { email, password }).await.map_err(|e| e.to_string())?;
    if response.ok() {
        return Ok(());
    }
    let status = response.status();
    match response.json::<AuthError>().await {
        Ok(AuthError { error }) if !error.is_empty() => Err(error),
        _ if status == 401 => Err("メールアドレスまたはパスワードが正しくありません。".into()),
        _ => Err(ApiError::Http(status).to_string()),
    }
}

/// `POST /auth/logout`.
pub async fn logout() {
    let _ = post_json("/auth/logout", &serde_json::json!({})).await;
}
