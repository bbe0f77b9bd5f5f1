//! Response bodies handed from an isolate to the embedder or the HTTP server: a fixed body with
//! a known length, or a stream of chunks that the worker produces while the client reads.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::Frame;
use tokio::sync::mpsc;

/// Why a streamed body ended early.
#[derive(Debug, thiserror::Error)]
#[error("the worker's response stream failed: {0}")]
pub struct StreamError(pub String);

/// A response body.
#[derive(Default)]
pub struct Body {
    kind: Kind,
    /// Called when a stream is dropped before its end, that is when the client went away.
    on_disconnect: Option<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if let Some(hook) = self.on_disconnect.take() {
            hook();
        }
    }
}

#[derive(Debug)]
enum Kind {
    Full(Option<Bytes>),
    Stream(mpsc::UnboundedReceiver<Result<Bytes, StreamError>>),
}

impl Default for Kind {
    fn default() -> Self {
        Kind::Full(None)
    }
}

impl Body {
    /// Creates an empty body.
    pub fn empty() -> Self {
        Body::default()
    }

    /// Creates a body with fixed contents.
    pub fn full(data: impl Into<Bytes>) -> Self {
        Body {
            kind: Kind::Full(Some(data.into())),
            on_disconnect: None,
        }
    }

    /// Creates a streamed body and the sender that feeds it. Dropping the sender ends the body;
    /// sending an error aborts it.
    pub(crate) fn channel() -> (mpsc::UnboundedSender<Result<Bytes, StreamError>>, Body) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let body = Body {
            kind: Kind::Stream(receiver),
            on_disconnect: None,
        };
        (sender, body)
    }

    /// Sets what runs when a streamed body is dropped before its end.
    pub(crate) fn on_disconnect(&mut self, hook: Box<dyn FnOnce() + Send>) {
        if self.is_stream() {
            self.on_disconnect = Some(hook);
        }
    }

    /// Returns the length if it is known before the body is read, that is for a fixed body.
    pub fn len(&self) -> Option<u64> {
        match &self.kind {
            Kind::Full(data) => Some(data.as_ref().map_or(0, |d| d.len() as u64)),
            Kind::Stream(_) => None,
        }
    }

    /// Returns true when the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Returns true when the body is streamed.
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }

    /// Reads the whole body; a stream that fails gives the bytes read so far and the error.
    pub async fn try_collect(mut self) -> Result<Bytes, (Bytes, StreamError)> {
        match std::mem::take(&mut self.kind) {
            Kind::Full(data) => Ok(data.unwrap_or_default()),
            Kind::Stream(mut receiver) => {
                let mut buffer = BytesMut::new();
                while let Some(chunk) = receiver.recv().await {
                    match chunk {
                        Ok(chunk) => buffer.extend_from_slice(&chunk),
                        Err(error) => {
                            self.on_disconnect = None;
                            return Err((buffer.freeze(), error));
                        }
                    }
                }
                self.on_disconnect = None;
                Ok(buffer.freeze())
            }
        }
    }

    /// Reads the whole body, keeping what arrived before a stream failed.
    pub async fn collect(self) -> Bytes {
        match self.try_collect().await {
            Ok(bytes) => bytes,
            Err((partial, error)) => {
                tracing::warn!(%error, "response stream ended with an error");
                partial
            }
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = StreamError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match &mut self.kind {
            Kind::Full(data) => Poll::Ready(
                data.take()
                    .filter(|d| !d.is_empty())
                    .map(|d| Ok(Frame::data(d))),
            ),
            Kind::Stream(receiver) => {
                let polled = receiver.poll_recv(cx);
                if let Poll::Ready(None | Some(Err(_))) = &polled {
                    self.on_disconnect = None;
                }
                polled.map(|chunk| chunk.map(|result| result.map(Frame::data)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(data) => data.as_ref().is_none_or(|d| d.is_empty()),
            Kind::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.len() {
            Some(len) => http_body::SizeHint::with_exact(len),
            None => http_body::SizeHint::default(),
        }
    }
}
