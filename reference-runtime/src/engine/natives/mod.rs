//! Native functions behind the Web APIs of the bootstrap, set on the `host` object that only the
//! runtime's own JS can see.

mod compression;
mod encoding;
mod html_rewriter;
mod subtle;
mod url;
mod urlpattern;

use rquickjs::{Ctx, Object, Result};

// The natives of each chunk, which `chunks.rs` sets on `host` when the chunk loads.
pub(crate) use compression::register as register_compression;
pub(crate) use html_rewriter::register as register_html_rewriter;
pub(crate) use subtle::register as register_subtle;
pub(crate) use url::register as register_url;
pub(crate) use urlpattern::register as register_urlpattern;

/// Sets the Web API natives of the core on `host`: encoding and URL parsing. The natives of a
/// chunk are set when the chunk loads.
pub(crate) fn register_web<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    encoding::register(ctx, host)?;
    url::register_parse(ctx, host)?;
    Ok(())
}
