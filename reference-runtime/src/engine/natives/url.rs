//! Natives behind URL and URLSearchParams: WHATWG URL parsing, the URL setters and the
//! application/x-www-form-urlencoded format, all from the `url` crate.

use rquickjs::function::Opt;
use rquickjs::{Ctx, Exception, Function, Object, Result};
use url::Url;
use url::form_urlencoded;

// `url::quirks` is the crate's implementation of the WHATWG URL API's getters and setters (the
// crate runs the URL Web Platform Tests through it). It is public but hidden from the docs.
use url::quirks;

/// Registers `urlParse` on `host`, for Request and Response, which are in the core.
pub(crate) fn register_parse<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // urlParse(input: string, base?: string) -> components, or null when either fails to parse.
    host.set(
        "urlParse",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, input: String, base: Opt<String>| -> Result<Option<Object<'js>>> {
                match parse(&input, base.0.as_deref()) {
                    Some(url) => components(&ctx, &url).map(Some),
                    None => Ok(None),
                }
            },
        )?,
    )?;
    Ok(())
}

/// Registers `urlSet`, `formDecode` and `formEncode` on `host`, for the url chunk.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // urlSet(href: string, name: string, value: string) -> components after running the setter
    // `name` ("protocol", "username", ..., "hash") on the URL `href`. A setter that rejects the
    // value leaves the URL unchanged, as the standard requires.
    host.set(
        "urlSet",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, href: String, name: String, value: String| -> Result<Object<'js>> {
                let mut url = Url::parse(&href).map_err(|e| {
                    Exception::throw_type(&ctx, &format!("invalid URL `{href}`: {e}"))
                })?;
                apply_setter(&ctx, &mut url, &name, &value)?;
                components(&ctx, &url)
            },
        )?,
    )?;

    // formDecode(input: string) -> [name, value, name, value, ...], the standard's
    // application/x-www-form-urlencoded parser.
    host.set(
        "formDecode",
        Function::new(ctx.clone(), |input: String| -> Vec<String> {
            let mut flat = Vec::new();
            for (name, value) in form_urlencoded::parse(input.as_bytes()) {
                flat.push(name.into_owned());
                flat.push(value.into_owned());
            }
            flat
        })?,
    )?;

    // formEncode(pairs: [name, value, name, value, ...]) -> string, the standard's
    // application/x-www-form-urlencoded serializer (spaces become `+`).
    host.set(
        "formEncode",
        Function::new(ctx.clone(), |flat: Vec<String>| -> String {
            let mut serializer = form_urlencoded::Serializer::new(String::new());
            for pair in flat.chunks_exact(2) {
                serializer.append_pair(&pair[0], &pair[1]);
            }
            serializer.finish()
        })?,
    )?;
    Ok(())
}

fn parse(input: &str, base: Option<&str>) -> Option<Url> {
    match base {
        Some(base) => Url::parse(base).ok()?.join(input).ok(),
        None => Url::parse(input).ok(),
    }
}

fn apply_setter(ctx: &Ctx<'_>, url: &mut Url, name: &str, value: &str) -> Result<()> {
    // The quirks setters return Err where the standard leaves the URL unchanged, so their
    // results are ignored on purpose.
    match name {
        "protocol" => {
            let _ = quirks::set_protocol(url, value);
        }
        "username" => {
            let _ = quirks::set_username(url, value);
        }
        "password" => {
            let _ = quirks::set_password(url, value);
        }
        "host" => {
            let _ = quirks::set_host(url, value);
        }
        "hostname" => {
            let _ = quirks::set_hostname(url, value);
        }
        "port" => {
            let _ = quirks::set_port(url, value);
        }
        "pathname" => quirks::set_pathname(url, value),
        "search" => quirks::set_search(url, value),
        "hash" => quirks::set_hash(url, value),
        other => {
            return Err(Exception::throw_type(
                ctx,
                &format!("unknown URL component `{other}`"),
            ));
        }
    }
    Ok(())
}

/// Returns the URL's getters as an object with one string property per getter.
fn components<'js>(ctx: &Ctx<'js>, url: &Url) -> Result<Object<'js>> {
    let object = Object::new(ctx.clone())?;
    object.set("href", quirks::href(url))?;
    object.set("origin", quirks::origin(url))?;
    object.set("protocol", quirks::protocol(url))?;
    object.set("username", quirks::username(url))?;
    object.set("password", quirks::password(url))?;
    object.set("host", quirks::host(url))?;
    object.set("hostname", quirks::hostname(url))?;
    object.set("port", quirks::port(url))?;
    object.set("pathname", quirks::pathname(url))?;
    object.set("search", quirks::search(url))?;
    object.set("hash", quirks::hash(url))?;
    Ok(object)
}
