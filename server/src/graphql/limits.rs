//! Cheap checks that run before a document is validated or executed, on HTTP and WebSocket alike:
//! the size of the query text and the number of fields once every fragment spread is expanded.
//!
//! The schema's depth and complexity limits walk the document with fragments inlined, so a
//! small document of nested spreads (`fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } …`)
//! would make them do exponential work. Here each fragment is counted once (memoised), so the
//! check is linear in the document's size and refuses such a document before anything else runs.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, ServerResult, Variables};

/// The longest query text accepted (the staff app's largest operation is under 4 KB).
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// The most fields a document may select once fragments are expanded.
pub const MAX_FIELDS: u64 = 2_000;

pub struct DocumentLimits;

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension)
    }
}

struct DocumentLimitsExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(too_complex(format!(
                "クエリが長すぎます (the query text is longer than {MAX_QUERY_BYTES} bytes)"
            )));
        }
        // Counted on a parse of our own: the schema's own parse step goes on to walk the
        // document with fragments expanded (recursion and directive limits), which is exactly
        // the exponential work this check is there to prevent.
        let document = async_graphql::parser::parse_query(query).map_err(ServerError::from)?;
        if expanded_fields(&document) > MAX_FIELDS {
            return Err(too_complex(format!(
                "クエリのフィールドが多すぎます (the document selects more than {MAX_FIELDS} fields once fragments are expanded)"
            )));
        }
        next.run(ctx, query, variables).await
    }
}

fn too_complex(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", super::cost::QUERY_TOO_COMPLEX);
    e.extensions = Some(ext);
    e
}

/// Fields of every operation with each fragment spread replaced by its fragment's fields,
/// computed in time linear in the document (saturating; unknown or cyclic fragments count 0 —
/// validation refuses them afterwards).
pub fn expanded_fields(document: &ExecutableDocument) -> u64 {
    let mut counter = Counter { document, memo: HashMap::new() };
    document.operations.iter().fold(0u64, |sum, (_, op)| sum.saturating_add(counter.set(&op.node.selection_set.node)))
}

struct Counter<'a> {
    document: &'a ExecutableDocument,
    /// `None` while a fragment is being counted (a cycle counts 0).
    memo: HashMap<&'a Name, Option<u64>>,
}

impl<'a> Counter<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> u64 {
        let mut sum = 0u64;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(f) => 1u64.saturating_add(self.set(&f.node.selection_set.node)),
                Selection::InlineFragment(f) => self.set(&f.node.selection_set.node),
                Selection::FragmentSpread(s) => self.fragment(&s.node.fragment_name.node),
            };
            sum = sum.saturating_add(n);
        }
        sum
    }

    fn fragment(&mut self, name: &'a Name) -> u64 {
        match self.memo.get(name) {
            Some(Some(n)) => return *n,
            Some(None) => return 0,
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return 0;
        };
        self.memo.insert(name, None);
        let n = self.set(&fragment.node.selection_set.node);
        self.memo.insert(name, Some(n));
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(q: &str) -> u64 {
        expanded_fields(&async_graphql::parser::parse_query(q).expect("parses"))
    }

    #[test]
    fn plain_fields_count_once_each() {
        assert_eq!(count("{ a b { c d } }"), 4);
    }

    #[test]
    fn a_fragment_counts_each_time_it_is_spread() {
        assert_eq!(count("{ ...F ...F } fragment F on Q { a b }"), 4);
        assert_eq!(count("{ ... on Q { a } }"), 1);
    }

    #[test]
    fn nested_spreads_are_counted_without_expanding_them() {
        let mut q = String::from("{ ...F0 }");
        for i in 0..64 {
            q.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{} ...F{} }}", i + 1, i + 1));
        }
        q.push_str(" fragment F64 on QueryRoot { a }");
        assert_eq!(count(&q), u64::MAX, "2^64 saturates");
    }

    #[test]
    fn cycles_and_unknown_fragments_count_nothing() {
        assert_eq!(count("{ ...A } fragment A on Q { x ...B } fragment B on Q { ...A }"), 1);
        assert_eq!(count("{ ...Missing }"), 0);
    }
}
