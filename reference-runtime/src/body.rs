//! Response bodies handed from an isolate to the embedder or the HTTP server.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;

/// A response body. A fixed body has a known length; later variants stream.
#[derive(Debug, Default)]
pub struct Body {
    data: Option<Bytes>,
}

impl Body {
    /// Creates an empty body.
    pub fn empty() -> Self {
        Body { data: None }
    }

    /// Creates a body with fixed contents.
    pub fn full(data: impl Into<Bytes>) -> Self {
        Body {
            data: Some(data.into()),
        }
    }

    /// Returns the length if it is known before the body is read.
    pub fn len(&self) -> Option<u64> {
        Some(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }

    /// Returns true when the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Reads the whole body.
    pub async fn collect(self) -> Bytes {
        self.data.unwrap_or_default()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(
            self.data
                .take()
                .filter(|d| !d.is_empty())
                .map(|d| Ok(Frame::data(d))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(|d| d.is_empty())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.len().unwrap_or(0))
    }
}
