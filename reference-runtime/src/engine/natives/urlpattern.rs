//! Natives behind URLPattern, from the `urlpattern` crate's `quirks` module, the interface it
//! offers to JS engines: Rust parses patterns and inputs, and JS matches the component regular
//! expressions with its own RegExp, whose syntax the patterns are written for.

use rquickjs::function::Opt;
use rquickjs::{Ctx, Exception, Function, Object, Result};
use urlpattern::UrlPatternOptions;
use urlpattern::quirks::{self, EcmaRegexp, StringOrInit};

/// Parses the JSON of a pattern input: a string, or a URLPatternInit with string members.
fn parse_input<'a>(ctx: &Ctx<'_>, json: &'a str) -> Result<StringOrInit<'a>> {
    serde_json::from_str(json)
        .map_err(|error| Exception::throw_type(ctx, &format!("invalid URLPattern input: {error}")))
}

fn to_json<T: serde::Serialize>(ctx: &Ctx<'_>, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|error| {
        Exception::throw_internal(ctx, &format!("failed to serialize a URLPattern: {error}"))
    })
}

/// Registers `urlPatternParse` and `urlPatternMatchInput` on `host`.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // urlPatternParse(inputJson, baseURL?, ignoreCase) -> JSON of the parsed pattern: per
    // component `patternString`, `regexpString` and `groupNameList`, and `hasRegexpGroups`.
    // Throws a TypeError for a pattern that does not parse.
    host.set(
        "urlPatternParse",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, input: String, base: Opt<Option<String>>, ignore_case: bool| {
                let input = parse_input(&ctx, &input)?;
                let base = base.0.flatten();
                let init = quirks::process_construct_pattern_input(input, base.as_deref())
                    .map_err(|error| {
                        Exception::throw_type(
                            &ctx,
                            &format!("Failed to construct URLPattern: {error}"),
                        )
                    })?;
                let options = UrlPatternOptions {
                    ignore_case,
                    ..Default::default()
                };
                let pattern =
                    quirks::parse_pattern::<EcmaRegexp>(init, options).map_err(|error| {
                        Exception::throw_type(
                            &ctx,
                            &format!("Failed to construct URLPattern: {error}"),
                        )
                    })?;
                to_json(&ctx, &pattern)
            },
        )?,
    )?;

    // urlPatternMatchInput(inputJson, baseURL?) -> JSON of the input's eight components, or
    // null when the input is not a valid URL (a URLPattern then matches nothing). Throws a
    // TypeError for an init dictionary given together with a base URL.
    host.set(
        "urlPatternMatchInput",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, input: String, base: Opt<Option<String>>| -> Result<Option<String>> {
                let input = parse_input(&ctx, &input)?;
                let base = base.0.flatten();
                let processed =
                    quirks::process_match_input(input, base.as_deref()).map_err(|error| {
                        Exception::throw_type(&ctx, &format!("Invalid URLPattern input: {error}"))
                    })?;
                let Some((input, _inputs)) = processed else {
                    return Ok(None);
                };
                match quirks::parse_match_input(input) {
                    Some(components) => to_json(&ctx, &components).map(Some),
                    None => Ok(None),
                }
            },
        )?,
    )?;
    Ok(())
}
