//! Steps: one map whose keys decide the action, checked so that a step does exactly one thing.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::Object;
use crate::expect::Expect;
use crate::step::{Action, Exchange, Request, Step};

/// Keys that a step may have, in the order error messages list them.
const STEP_KEYS: &[&str] = &[
    "request",
    "expect",
    "concurrent",
    "evict",
    "sleep_ms",
    "comment",
];

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(StepVisitor)
    }
}

struct StepVisitor;

#[derive(Default)]
struct StepFields {
    request: Option<Request>,
    expect: Option<Expect>,
    concurrent: Option<Vec<Exchange>>,
    evict: Option<bool>,
    sleep_ms: Option<u64>,
    comment: Option<String>,
}

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a step: {\"request\": ..., \"expect\": ...}, {\"concurrent\": [...]}, \
             {\"evict\": true} or {\"sleep_ms\": N}",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let mut fields = StepFields::default();
        while let Some(key) = map.next_key::<String>()? {
            let duplicate = match key.as_str() {
                "request" => {
                    let Object(request) = map.next_value()?;
                    fields.request.replace(request).is_some()
                }
                "expect" => {
                    let Object(expect) = map.next_value()?;
                    fields.expect.replace(expect).is_some()
                }
                "concurrent" => {
                    let entries: Vec<Object<Exchange>> = map.next_value()?;
                    let exchanges = entries
                        .into_iter()
                        .map(|Object(exchange)| exchange)
                        .collect();
                    fields.concurrent.replace(exchanges).is_some()
                }
                "evict" => fields.evict.replace(map.next_value()?).is_some(),
                "sleep_ms" => fields.sleep_ms.replace(map.next_value()?).is_some(),
                "comment" => fields.comment.replace(map.next_value()?).is_some(),
                other => return Err(de::Error::unknown_field(other, STEP_KEYS)),
            };
            if duplicate {
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            }
        }
        fields.into_step()
    }
}

impl StepFields {
    fn into_step<E: de::Error>(self) -> Result<Step, E> {
        let present: Vec<&str> = [
            ("request", self.request.is_some()),
            ("concurrent", self.concurrent.is_some()),
            ("evict", self.evict.is_some()),
            ("sleep_ms", self.sleep_ms.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        if present.len() > 1 {
            return Err(E::custom(format!(
                "a step does one thing, found `{}`: split it into one step each",
                present.join("` and `")
            )));
        }
        if self.expect.is_some() && self.request.is_none() {
            return Err(E::custom(
                "`expect` needs a `request` in the same step; inside `concurrent`, put both in \
                 each entry",
            ));
        }

        let action = match (self.request, self.concurrent, self.evict, self.sleep_ms) {
            (Some(request), _, _, _) => {
                let expect = self.expect.ok_or_else(|| E::missing_field("expect"))?;
                Action::Exchange(Exchange {
                    request,
                    expect,
                    comment: None,
                })
            }
            (_, Some(exchanges), _, _) => {
                if exchanges.is_empty() {
                    return Err(E::custom("`concurrent` needs at least one request"));
                }
                Action::Concurrent(exchanges)
            }
            (_, _, Some(evict), _) => {
                if !evict {
                    return Err(E::custom(
                        "`evict` must be true; remove the step to not evict",
                    ));
                }
                Action::Evict
            }
            (_, _, _, Some(millis)) => Action::Sleep(Duration::from_millis(millis)),
            (None, None, None, None) => {
                return Err(E::custom(
                    "a step needs one of `request`, `concurrent`, `evict` or `sleep_ms`",
                ));
            }
        };
        Ok(Step {
            action,
            comment: self.comment,
        })
    }
}
