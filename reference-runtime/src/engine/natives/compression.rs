//! Natives behind CompressionStream and DecompressionStream: the Compression standard's three
//! formats, gzip, "deflate" (the zlib format) and "deflate-raw" (raw DEFLATE), through flate2.

use std::cell::RefCell;
use std::io::{self, Write};

use flate2::Compression;
use flate2::write::{
    DeflateDecoder, DeflateEncoder, GzDecoder, GzEncoder, ZlibDecoder, ZlibEncoder,
};
use rquickjs::class::{JsClass, Readable, Trace, Tracer};
use rquickjs::{
    Class, Constructor, Ctx, Exception, Function, JsLifetime, Object, Result, TypedArray,
};

// workerd's messages for the three ways decompression fails.
const TRAILING_DATA: &str = "Trailing bytes after end of compressed data";
const INVALID_DATA: &str = "Decompression failed.";
const INCOMPLETE_DATA: &str = "Called close() on a decompression stream with incomplete data";

/// One direction of one format, writing its output into a `Vec<u8>` that each call drains.
trait Codec {
    /// Feeds one chunk of input.
    fn write_chunk(&mut self, input: &[u8]) -> io::Result<()>;
    /// Ends the input and writes whatever the format still owes (trailers, buffered bytes).
    fn finish(&mut self) -> io::Result<()>;
    /// Takes the output produced so far.
    fn take_output(&mut self) -> Vec<u8>;
}

macro_rules! encoder_codec {
    ($type:ident) => {
        impl Codec for $type<Vec<u8>> {
            fn write_chunk(&mut self, input: &[u8]) -> io::Result<()> {
                self.write_all(input)
            }

            fn finish(&mut self) -> io::Result<()> {
                self.try_finish()
            }

            fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
        }
    };
}

macro_rules! decoder_codec {
    ($type:ident) => {
        impl Codec for $type<Vec<u8>> {
            fn write_chunk(&mut self, mut input: &[u8]) -> io::Result<()> {
                // A decoder takes no bytes once its stream has ended, so a zero-length write
                // with input left means data after the end, which the standard rejects.
                while !input.is_empty() {
                    let written = self.write(input)?;
                    if written == 0 {
                        return Err(io::Error::new(io::ErrorKind::InvalidData, TRAILING_DATA));
                    }
                    input = &input[written..];
                }
                Ok(())
            }

            fn finish(&mut self) -> io::Result<()> {
                self.try_finish()
            }

            fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
        }
    };
}

encoder_codec!(GzEncoder);
encoder_codec!(ZlibEncoder);
encoder_codec!(DeflateEncoder);
decoder_codec!(GzDecoder);
decoder_codec!(ZlibDecoder);
decoder_codec!(DeflateDecoder);

/// State of one CompressionStream or DecompressionStream; `None` once it finished or failed.
pub(crate) struct CodecState {
    codec: RefCell<Option<Box<dyn Codec>>>,
    decompress: bool,
}

impl<'js> Trace<'js> for CodecState {
    fn trace<'a>(&self, _tracer: Tracer<'a, 'js>) {}
}

// SAFETY: the state contains no JS values, so it is the same type for every lifetime.
unsafe impl<'js> JsLifetime<'js> for CodecState {
    type Changed<'to> = CodecState;
}

impl<'js> JsClass<'js> for CodecState {
    const NAME: &'static str = "CodecState";

    type Mutable = Readable;

    fn constructor(_ctx: &Ctx<'js>) -> Result<Option<Constructor<'js>>> {
        Ok(None)
    }
}

fn new_codec(format: &str, decompress: bool) -> Option<Box<dyn Codec>> {
    let output = Vec::new();
    let level = Compression::default();
    let codec: Box<dyn Codec> = match (format, decompress) {
        ("gzip", false) => Box::new(GzEncoder::new(output, level)),
        ("deflate", false) => Box::new(ZlibEncoder::new(output, level)),
        ("deflate-raw", false) => Box::new(DeflateEncoder::new(output, level)),
        ("gzip", true) => Box::new(GzDecoder::new(output)),
        ("deflate", true) => Box::new(ZlibDecoder::new(output)),
        ("deflate-raw", true) => Box::new(DeflateDecoder::new(output)),
        _ => return None,
    };
    Some(codec)
}

impl CodecState {
    /// Runs `step` on the codec and returns its output, or a TypeError that ends the stream.
    fn run<'js>(
        &self,
        ctx: &Ctx<'js>,
        step: impl FnOnce(&mut dyn Codec) -> io::Result<()>,
        last: bool,
    ) -> Result<TypedArray<'js, u8>> {
        let mut slot = self.codec.borrow_mut();
        let Some(codec) = slot.as_mut() else {
            return Err(Exception::throw_type(
                ctx,
                "The compression stream has already ended.",
            ));
        };
        let result = step(codec.as_mut());
        let output = codec.take_output();
        if let Err(error) = result {
            *slot = None;
            let message = if !self.decompress {
                format!("Compression failed: {error}")
            } else if error.to_string() == TRAILING_DATA {
                TRAILING_DATA.to_string()
            } else if last {
                INCOMPLETE_DATA.to_string()
            } else {
                INVALID_DATA.to_string()
            };
            return Err(Exception::throw_type(ctx, &message));
        }
        if last {
            *slot = None;
        }
        TypedArray::new(ctx.clone(), output)
    }
}

/// Registers `codecNew`, `codecWrite` and `codecFinish` on `host`.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // codecNew(format: string, decompress: boolean) -> state. The caller has already checked
    // that `format` is one of the three formats.
    host.set(
        "codecNew",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, format: String, decompress: bool| -> Result<Class<'js, CodecState>> {
                let codec = new_codec(&format, decompress).ok_or_else(|| {
                    Exception::throw_type(
                        &ctx,
                        &format!("unsupported compression format `{format}`"),
                    )
                })?;
                Class::instance(
                    ctx,
                    CodecState {
                        codec: RefCell::new(Some(codec)),
                        decompress,
                    },
                )
            },
        )?,
    )?;

    // codecWrite(state, bytes: Uint8Array) -> the output this chunk produced, maybe empty.
    host.set(
        "codecWrite",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, state: Class<'js, CodecState>, bytes: TypedArray<'js, u8>| {
                // SAFETY: no JS runs while the codec reads the slice, so the buffer cannot be
                // detached or resized while it is borrowed.
                let input = unsafe { bytes.as_bytes() }.unwrap_or(&[]);
                state
                    .borrow()
                    .run(&ctx, |codec| codec.write_chunk(input), false)
            },
        )?,
    )?;

    // codecFinish(state) -> the last output; a TypeError for a truncated compressed stream.
    host.set(
        "codecFinish",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, state: Class<'js, CodecState>| {
                state.borrow().run(&ctx, |codec| codec.finish(), true)
            },
        )?,
    )?;
    Ok(())
}
