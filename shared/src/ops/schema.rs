//! The contract's types as cynic sees them, generated from `schema.graphql` (registered by
//! `build.rs`). Every fragment and variable of `ops` is checked against this.

#[cynic::schema("madoguchi")]
pub mod schema {}

pub use schema::*;
