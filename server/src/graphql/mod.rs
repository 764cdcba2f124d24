//! The GraphQL API of API.md: schema assembly and limits. Resolvers are thin: they take the
//! caller's [`Actor`](crate::auth::Actor) from the request and call the application modules.

pub mod context;
pub mod cost;
pub mod csv;
pub mod error;
#[cfg(test)]
mod layers;
pub mod limits;
pub mod live_reads;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod socket;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

use crate::state::AppState;
pub use context::Loaders;

pub type AppSchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Nesting deeper than the SPA's deepest operation (inquiry → order → inquiries → shop …) plus room.
pub const MAX_DEPTH: usize = 12;
/// Field count weighted by page size; a full inbox page with threads stays well below.
pub const MAX_COMPLEXITY: usize = 5000;

pub fn build_schema(state: AppState) -> AppSchema {
    builder().data(state).data(cost::PresenceLimits::default()).finish()
}

fn builder() -> async_graphql::SchemaBuilder<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(query::QueryRoot::default(), mutation::MutationRoot::default(), subscription::SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .limit_directives(16)
        .extension(limits::DocumentLimits)
        .extension(cost::CostErrors)
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
