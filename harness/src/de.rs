//! Deserialization of case JSON into the case types: the values that are a string or a one-key
//! object, structs that must be JSON objects, and the checks on names, paths and numbers that
//! derive alone cannot express.
//!
//! Every error here is a serde error, so `serde_path_to_error` puts the JSON path in front of it.

mod fields;
mod one_key;
mod step;

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::step::{Exchange, Request};

pub(crate) use fields::{
    ExpectedHeaders, bindings, expected_headers, instances, method, non_empty, path, positive,
    request_headers, routing, some, status, steps,
};

/// A struct that case files write as a JSON object, with the description that type errors use.
pub(crate) trait ObjectKind {
    /// Description of the object for type errors, such as "a request object with `method`,
    /// `path`, `headers` or `body`".
    const EXPECTING: &'static str;
}

/// A struct read only from a JSON object.
///
/// Derived struct impls also accept an array of field values in order, which would let
/// `"expect": [200]` mean a status. Reading through this wrapper rejects that.
pub(crate) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de> + ObjectKind> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + ObjectKind> Visitor<'de> for ObjectVisitor<T> {
    type Value = Object<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
    }
}

/// Deserializes a struct field that must be a JSON object.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + ObjectKind,
{
    Object::<T>::deserialize(deserializer).map(|object| object.0)
}

impl ObjectKind for Request {
    const EXPECTING: &'static str = "a request object with `method`, `path`, `headers` or `body`";
}

impl ObjectKind for crate::expect::Expect {
    const EXPECTING: &'static str = "an expect object with `status`, `headers` or `body`";
}

impl ObjectKind for Exchange {
    const EXPECTING: &'static str = "an object with `request` and `expect`";
}

impl ObjectKind for crate::case::LimitOverrides {
    const EXPECTING: &'static str =
        "a limits object with `cpu_ms`, `memory_mb`, `startup_cpu_ms` or `subrequests`";
}

/// A value that is a string, `null`, or an object with exactly one key from [`OneKey::KEYS`].
pub(crate) trait OneKey: Sized {
    /// Description of the accepted forms, for type errors.
    const EXPECTING: &'static str;
    /// The keys the object form may have.
    const KEYS: &'static [&'static str];

    /// Builds the value from the string form.
    fn from_text<E: de::Error>(text: String) -> Result<Self, E>;

    /// Builds the value from `null`, which most values reject.
    fn from_null<E: de::Error>() -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Unit, &Self::EXPECTING))
    }

    /// Reads the value of `key`, which is one of [`OneKey::KEYS`].
    fn from_value<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Self, A::Error>;
}

pub(crate) fn deserialize_one_key<'de, D: Deserializer<'de>, T: OneKey>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(OneKeyVisitor(PhantomData))
}

struct OneKeyVisitor<T>(PhantomData<T>);

impl<'de, T: OneKey> Visitor<'de> for OneKeyVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::from_text(text.to_string())
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<T, E> {
        T::from_text(text)
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        T::from_null()
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        T::from_null()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let keys = T::KEYS
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!(
                "expected an object with one key, one of {keys}, found an empty object"
            )));
        };
        if !T::KEYS.contains(&key.as_str()) {
            return Err(de::Error::unknown_field(&key, T::KEYS));
        }
        let value = T::from_value(&key, &mut map)?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "expected an object with one key, found `{key}` and `{extra}`"
            )));
        }
        Ok(value)
    }
}
