//! How the contract's scalars and enums meet Rust types: IDs, timestamps, JSON, uploads, and the
//! shared enums (their cynic impls are in `enums.rs`, beside each enum).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::schema;

/// A GraphQL `ID`: opaque text, as the server gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    pub fn new(id: impl Into<String>) -> Self {
        Id(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        Id(s)
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id(s.to_owned())
    }
}

impl From<&String> for Id {
    fn from(s: &String) -> Self {
        Id(s.clone())
    }
}

impl From<&Id> for Id {
    fn from(s: &Id) -> Self {
        s.clone()
    }
}

impl From<Id> for String {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Id> for String {
    fn eq(&self, other: &Id) -> bool {
        *self == other.0
    }
}

impl cynic::schema::IsScalar<cynic::Id> for Id {
    type SchemaType = cynic::Id;
}
cynic::impl_coercions!(Id, cynic::Id);
impl schema::variable::Variable for Id {
    const TYPE: cynic::variables::VariableType = cynic::variables::VariableType::Named("ID");
}

cynic::impl_scalar!(chrono::DateTime<chrono::FixedOffset>, schema::DateTime);
cynic::impl_scalar!(serde_json::Value, schema::JSON);
cynic::impl_scalar!(serde_json::Map<String, serde_json::Value>, schema::JSON);

/// The `Upload` scalar's place in variables: always `null` in the JSON; the file itself is a
/// part of the multipart request, mapped onto that place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Upload;
cynic::impl_scalar!(Upload, schema::Upload);

/// Makes a shared enum usable in fragments and variables (called beside each enum).
#[macro_export]
#[doc(hidden)]
macro_rules! contract_enum_for_client {
    ($name:ident) => {
        impl cynic::Enum for $name {
            type SchemaType = $crate::ops::schema::$name;
        }
        cynic::impl_coercions!($name, $crate::ops::schema::$name);
        impl $crate::ops::schema::variable::Variable for $name {
            const TYPE: cynic::variables::VariableType = cynic::variables::VariableType::Named(stringify!($name));
        }
    };
}
