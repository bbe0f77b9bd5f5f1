//! Native randomness for `crypto.getRandomValues` and `crypto.randomUUID`, from the OS.

use rquickjs::{Ctx, Exception, Function, Object, TypedArray};

/// Defines `host.randomFill(bytes)` on `host`; it fills a Uint8Array view in place.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> rquickjs::Result<()> {
    host.set(
        "randomFill",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, bytes: TypedArray<'js, u8>| -> rquickjs::Result<()> {
                let Some(raw) = bytes.as_raw() else {
                    return Err(Exception::throw_type(&ctx, "the buffer is detached"));
                };
                // SAFETY: the view is alive for this call and no JS runs while it is written.
                let slice = unsafe { &mut *raw.as_ptr() };
                getrandom::fill(slice).map_err(|error| {
                    Exception::throw_internal(
                        &ctx,
                        &format!("the OS random source failed: {error}"),
                    )
                })
            },
        )?,
    )
}
