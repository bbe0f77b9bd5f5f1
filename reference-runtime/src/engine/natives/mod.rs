//! Native functions behind the Web APIs of the bootstrap, set on the `host` object that only the
//! bootstrap module can see.

mod compression;
mod encoding;
mod html_rewriter;
mod subtle;
mod url;
mod urlpattern;

use rquickjs::{Ctx, Object, Result};

/// Sets every Web API native on `host`: encoding, URL, URLPattern, compression,
/// crypto.subtle and HTMLRewriter.
pub(crate) fn register_web<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    compression::register(ctx, host)?;
    encoding::register(ctx, host)?;
    html_rewriter::register(ctx, host)?;
    subtle::register(ctx, host)?;
    url::register(ctx, host)?;
    urlpattern::register(ctx, host)?;
    Ok(())
}
