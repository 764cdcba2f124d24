//! Admin screens: API tokens, webhooks, staff accounts (スタッフ管理).

use super::{Id, IdVariables, IdVariablesFields, NoVariables, Timestamp, operation, schema};
use crate::{Role, WebhookDeliveryResult, WebhookEvent};

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

/// `ApiToken` (never its secret).
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Id,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct ApiTokensData {
    pub api_tokens: Vec<ApiToken>,
}

operation!(ApiTokens: query ApiTokensData(NoVariables));

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CreateApiTokenVariables {
    pub name: String,
    /// Of `read`, `write`, `admin`.
    pub scopes: Vec<String>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CreateApiTokenVariables")]
pub struct CreateApiTokenData {
    #[arguments(name: $name, scopes: $scopes)]
    pub create_api_token: NewApiToken,
}

operation!(
    /// Creates a token; the answer holds the secret, once.
    CreateApiToken: mutation CreateApiTokenData(CreateApiTokenVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct RevokeApiTokenData {
    /// The id of the revoked token.
    #[arguments(id: $id)]
    pub revoke_api_token: Id,
}

operation!(RevokeApiToken: mutation RevokeApiTokenData(IdVariables));

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

/// `WebhookDelivery`: one attempt to deliver an event to an endpoint.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: Id,
    pub sequence: i32,
    pub event_type: WebhookEvent,
    pub attempt: i32,
    pub result: WebhookDeliveryResult,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub at: Timestamp,
}

/// `Webhook` (never its secret), with the newest rows of its delivery log.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: Id,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub failed_attempts: i32,
    pub next_attempt_at: Option<Timestamp>,
    #[arguments(first: 20)]
    pub deliveries: Vec<WebhookDelivery>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct WebhooksData {
    pub webhooks: Vec<Webhook>,
}

operation!(Webhooks: query WebhooksData(NoVariables));

/// `WebhookInput`.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CreateWebhookVariables {
    pub input: WebhookInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CreateWebhookVariables")]
pub struct CreateWebhookData {
    #[arguments(input: $input)]
    pub create_webhook: NewWebhook,
}

operation!(
    /// Registers an endpoint; the answer holds its signing secret, once.
    CreateWebhook: mutation CreateWebhookData(CreateWebhookVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct DeleteWebhookData {
    /// The id of the deleted endpoint.
    #[arguments(id: $id)]
    pub delete_webhook: Id,
}

operation!(DeleteWebhook: mutation DeleteWebhookData(IdVariables));

// ---------------------------------------------------------------------------------------------
// Staff accounts
// ---------------------------------------------------------------------------------------------

/// `StaffMember` (an extension of API.md): a staff account; its password is never returned.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// 利用停止.
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// `StaffInput`. `password` is required on create; on update `None` keeps the current one.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct StaffInput {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct StaffMembersData {
    pub staff_members: Vec<StaffMember>,
}

operation!(
    /// The tenant's staff accounts, oldest first.
    StaffMembers: query StaffMembersData(NoVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CreateStaffVariables {
    pub input: StaffInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CreateStaffVariables")]
pub struct CreateStaffData {
    #[arguments(input: $input)]
    pub create_staff: StaffMember,
}

operation!(CreateStaff: mutation CreateStaffData(CreateStaffVariables));

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct UpdateStaffVariables {
    pub id: Id,
    pub input: StaffInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateStaffVariables")]
pub struct UpdateStaffData {
    #[arguments(id: $id, input: $input)]
    pub update_staff: StaffMember,
}

operation!(UpdateStaff: mutation UpdateStaffData(UpdateStaffVariables));

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct DisableStaffData {
    #[arguments(id: $id)]
    pub disable_staff: StaffMember,
}

operation!(
    /// 利用停止: the member cannot sign in any more; their sessions end at once.
    DisableStaff: mutation DisableStaffData(IdVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct EnableStaffData {
    #[arguments(id: $id)]
    pub enable_staff: StaffMember,
}

operation!(
    /// 利用再開.
    EnableStaff: mutation EnableStaffData(IdVariables)
);
