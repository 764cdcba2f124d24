//! Who is calling (viewer), staff accounts and API tokens.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::Role;

use crate::graphql::context::{actor, state};
use crate::store::entities::api_token;

use super::*;

/// Who is calling (an extension of API.md, for clients to show the signed-in user).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Viewer {
    pub id: ID,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub tenant_name: String,
    /// APIオプション: inquiry management and auto-export.
    pub api_option: bool,
}

#[ComplexObject]
impl Viewer {
    /// Scopes of the API token in use; empty for a staff session.
    async fn token_scopes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(crate::viewer::token_scopes(&state(ctx).db, actor(ctx)?).await?)
    }
}

pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn scopes(&self) -> Vec<String> {
        self.0.scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
    async fn last_used_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_used_at.map(jst)
    }
}

/// The secret is shown once.
#[derive(SimpleObject)]
pub struct NewApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

/// A staff account of the tenant (スタッフ管理, admin). Its password is never returned.
pub struct StaffMember(pub crate::store::entities::staff::Model);

#[Object]
impl StaffMember {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// 利用停止: the account cannot sign in; its replies keep its name.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
}

#[derive(async_graphql::InputObject)]
pub struct StaffInput {
    /// Unique within the tenant; sign-in is by e-mail (and password, which picks the tenant when
    /// the address has accounts in several).
    pub email: String,
    /// 1–50 characters.
    pub name: String,
    pub role: Role,
    /// 10–128 characters. Required on create; on update, null keeps the current password.
    pub password: Option<String>,
}

impl From<StaffInput> for crate::staff::StaffForSave {
    fn from(i: StaffInput) -> Self {
        crate::staff::StaffForSave { email: i.email, name: i.name, role: i.role, password: i.password }
    }
}
