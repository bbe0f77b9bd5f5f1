//! Natives behind TextEncoder and TextDecoder: UTF-8 encoding and the streaming decoders of the
//! WHATWG Encoding standard, which `encoding_rs` implements.

use encoding_rs::{DecoderResult, Encoding, REPLACEMENT, X_USER_DEFINED};
use rquickjs::class::{JsClass, Readable, Trace, Tracer};
use rquickjs::function::Opt;
use rquickjs::{
    Class, Constructor, Ctx, Exception, Function, JsLifetime, Object, Result, TypedArray,
};
use std::cell::RefCell;

/// Decoder state of one TextDecoder, kept between `decode(..., { stream: true })` calls.
pub(crate) struct TextDecoderState {
    encoding: &'static Encoding,
    fatal: bool,
    ignore_bom: bool,
    /// The decoder of the stream in progress; `None` before the first chunk of a stream.
    decoder: RefCell<Option<encoding_rs::Decoder>>,
}

impl<'js> Trace<'js> for TextDecoderState {
    fn trace<'a>(&self, _tracer: Tracer<'a, 'js>) {}
}

// SAFETY: the state contains no JS values, so it is the same type for every lifetime.
unsafe impl<'js> JsLifetime<'js> for TextDecoderState {
    type Changed<'to> = TextDecoderState;
}

impl<'js> JsClass<'js> for TextDecoderState {
    const NAME: &'static str = "TextDecoderState";

    type Mutable = Readable;

    fn constructor(_ctx: &Ctx<'js>) -> Result<Option<Constructor<'js>>> {
        Ok(None)
    }
}

impl TextDecoderState {
    fn new_decoder(&self) -> encoding_rs::Decoder {
        // Removing only a BOM of the decoder's own encoding is what the standard's decode
        // algorithm does for UTF-8 and UTF-16; other encodings have no BOM to remove.
        if self.ignore_bom {
            self.encoding.new_decoder_without_bom_handling()
        } else {
            self.encoding.new_decoder_with_bom_removal()
        }
    }

    /// Decodes one chunk; `last` is false while more chunks of the same stream follow.
    fn decode(&self, ctx: &Ctx<'_>, input: &[u8], last: bool) -> Result<String> {
        let mut slot = self.decoder.borrow_mut();
        let decoder = slot.get_or_insert_with(|| self.new_decoder());
        let capacity = decoder
            .max_utf8_buffer_length(input.len())
            .ok_or_else(|| Exception::throw_range(ctx, "The input is too large to decode."))?;
        let mut output = String::with_capacity(capacity);

        let failed = if self.fatal {
            let (result, _read) =
                decoder.decode_to_string_without_replacement(input, &mut output, last);
            matches!(result, DecoderResult::Malformed(_, _))
        } else {
            let (_result, _read, _replaced) = decoder.decode_to_string(input, &mut output, last);
            false
        };

        // The next call starts a new stream after a flush or after a fatal error.
        if last || failed {
            *slot = None;
        }
        if failed {
            // workerd's message for invalid input to a fatal decoder.
            return Err(Exception::throw_type(ctx, "Failed to decode input."));
        }
        Ok(output)
    }
}

/// Registers `utf8Encode`, `textDecoderNew` and `textDecoderDecode` on `host`.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // utf8Encode(text: string) -> Uint8Array. The caller makes `text` well-formed first, because
    // a lone surrogate cannot cross into Rust as UTF-8.
    host.set(
        "utf8Encode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, text: String| {
            TypedArray::<u8>::new(ctx, text.into_bytes())
        })?,
    )?;

    // textDecoderNew(label: string, fatal: boolean, ignoreBOM: boolean) -> state, or a
    // RangeError for a label that names no encoding TextDecoder supports.
    host.set(
        "textDecoderNew",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, label: String, fatal: bool, ignore_bom: bool| {
                new_decoder_state(&ctx, &label, fatal, ignore_bom)
            },
        )?,
    )?;

    // textDecoderEncoding(state) -> the encoding's name in lowercase, e.g. "utf-8".
    host.set(
        "textDecoderEncoding",
        Function::new(ctx.clone(), |state: Class<'js, TextDecoderState>| {
            state.borrow().encoding.name().to_ascii_lowercase()
        })?,
    )?;

    // textDecoderDecode(state, bytes: Uint8Array, stream: boolean) -> string.
    host.set(
        "textDecoderDecode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             state: Class<'js, TextDecoderState>,
             bytes: TypedArray<'js, u8>,
             stream: Opt<bool>| {
                let last = !stream.0.unwrap_or(false);
                // SAFETY: nothing runs JS between borrowing the bytes and the end of `decode`,
                // so the buffer cannot be detached or resized while the slice is alive.
                let input = unsafe { bytes.as_bytes() }.unwrap_or(&[]);
                state.borrow().decode(&ctx, input, last)
            },
        )?,
    )?;
    Ok(())
}

fn new_decoder_state<'js>(
    ctx: &Ctx<'js>,
    label: &str,
    fatal: bool,
    ignore_bom: bool,
) -> Result<Class<'js, TextDecoderState>> {
    // `for_label` trims ASCII whitespace and ignores case, as the standard's "get an encoding"
    // does. The replacement encoding is never a valid TextDecoder encoding, and workerd also
    // rejects x-user-defined.
    let encoding = Encoding::for_label(label.as_bytes())
        .filter(|encoding| *encoding != REPLACEMENT && *encoding != X_USER_DEFINED)
        .ok_or_else(|| {
            Exception::throw_range(ctx, &format!("\"{label}\" is not a valid encoding."))
        })?;
    Class::instance(
        ctx.clone(),
        TextDecoderState {
            encoding,
            fatal,
            ignore_bom,
            decoder: RefCell::new(None),
        },
    )
}
