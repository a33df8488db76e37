//! An upstream body relayed to the client frame by frame as it arrives: each `Bytes` the upstream
//! connection read is handed on as is (no copy, nothing buffered beyond the frame in hand), with an
//! idle timeout between frames and the upstream slot held until the body ends or the client goes away.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

use crate::response::BoxError;

/// The body of a forwarded answer.
pub struct Relay {
    upstream: Incoming,
    idle: Duration,
    /// When the last frame arrived. The timer is not re-armed per frame (a timer-wheel update for
    /// every chunk of a gigabyte blob): when it fires early it is moved on to `last + idle`.
    last: Instant,
    deadline: Pin<Box<Sleep>>,
    /// The upstream slot, freed as soon as the body ends (or with the relay, if the client leaves).
    permit: Option<OwnedSemaphorePermit>,
}

impl Relay {
    pub fn new(upstream: Incoming, idle: Duration, permit: OwnedSemaphorePermit) -> Self {
        let now = Instant::now();
        Relay {
            upstream,
            idle,
            last: now,
            deadline: Box::pin(tokio::time::sleep_until(now + idle)),
            permit: Some(permit),
        }
    }

    /// `Ready` with the idle error once no frame came for `idle`; `Pending` (timer armed) before that.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<BoxError> {
        loop {
            if self.deadline.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let due = self.last + self.idle;
            if due <= Instant::now() {
                return Poll::Ready(BoxError::from("upstream body idle too long"));
            }
            self.deadline.as_mut().reset(due);
        }
    }
}

impl Body for Relay {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.permit.is_none() {
            return Poll::Ready(None);
        }
        loop {
            let polled = Pin::new(&mut this.upstream).poll_frame(cx);
            let result = match polled {
                Poll::Pending => match this.poll_idle(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(error) => Some(Err(error)),
                },
                // Trailers are not forwarded: only the body's bytes are.
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => {
                        this.last = Instant::now();
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    Err(_) => continue,
                },
                Poll::Ready(Some(Err(error))) => Some(Err(BoxError::from(error))),
                Poll::Ready(None) => None,
            };
            this.permit = None;
            return Poll::Ready(result);
        }
    }

    fn is_end_stream(&self) -> bool {
        self.permit.is_none()
    }
}
