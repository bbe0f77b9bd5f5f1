//! Native functions behind the Web APIs of the bootstrap, set on the `host` object that only the
//! bootstrap module can see.

mod encoding;
mod url;

use rquickjs::{Ctx, Object, Result};

/// Sets every Web API native on `host`: the encoding natives and the URL natives.
pub(crate) fn register_web<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    encoding::register(ctx, host)?;
    url::register(ctx, host)?;
    Ok(())
}
