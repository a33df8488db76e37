//! A layer's uncompressed size before it is downloaded: one `Range` request for the few bytes
//! that hold it, sent the way the layer's download would be (the proxy prefix, timeout and
//! `Authorization` of [`BlobAccess`]). What to ask and what the answer means is decided by
//! `core::layer::estimate`; this only sends and receives.

use super::blob::BlobAccess;
use super::time::sleep;
use crate::core::digest::Digest;
use crate::core::layer::compression::SizeEstimate;
use crate::core::layer::estimate::{plan, read_answer, EstimateProblem, Plan};
use crate::core::layer::Encoding;
use crate::core::reference::Reference;
use futures::future::{select, Either};
use gloo_net::http::{Headers, RequestBuilder};
use std::pin::pin;
use web_sys::{AbortController, RequestCache};

/// Asks for the bytes of blob `digest` (`size` bytes, `encoding`) that tell its uncompressed
/// size. A registry that ignores `Range` and starts sending the whole blob (status 200), or an
/// answer longer than the range, is cut off at its headers: this never downloads a layer.
pub async fn estimate(
    access: &BlobAccess,
    reference: &Reference,
    digest: &Digest,
    encoding: Encoding,
    size: u64,
) -> Result<SizeEstimate, EstimateProblem> {
    let range = match plan(encoding, size)? {
        Plan::Known(estimate) => return Ok(estimate),
        Plan::Ask(range) => range,
    };
    let no_answer = |why: &str| EstimateProblem::Unreachable(why.to_owned());
    let controller =
        AbortController::new().map_err(|_| no_answer("the browser could not start the request."))?;
    // Headers set on the raw object: a value the browser refuses (a token with characters no
    // header may hold) is an answer, where gloo-net's `header` would throw.
    let headers =
        web_sys::Headers::new().map_err(|_| no_answer("the browser could not start the request."))?;
    headers
        .set("Range", &range.header())
        .map_err(|_| no_answer("the browser refused the Range header."))?;
    if let Some(authorization) = &access.authorization {
        headers
            .set("Authorization", authorization)
            .map_err(|_| no_answer("the access token holds characters no HTTP header may carry."))?;
    }
    let request = RequestBuilder::new(&access.url(reference, digest))
        .cache(RequestCache::NoStore)
        .headers(Headers::from_raw(headers))
        .abort_signal(Some(&controller.signal()));
    let exchange = async {
        let response = request.send().await.map_err(|_| {
            no_answer("the Range request got no answer the page may read (the registry is unreachable, or refuses it by CORS).")
        })?;
        let length: Option<u64> = response
            .headers()
            .get("content-length")
            .and_then(|l| l.trim().parse().ok());
        if response.status() != 206 || length.is_some_and(|l| l > range.byte_count()) {
            controller.abort();
            let got = length.unwrap_or(u64::MAX);
            return match response.status() {
                206 => Err(EstimateProblem::Short {
                    got,
                    wanted: range.byte_count(),
                }),
                status => read_answer(encoding, size, range, status, &[]),
            };
        }
        let body = response
            .binary()
            .await
            .map_err(|_| no_answer("the answer to the Range request broke off."))?;
        read_answer(encoding, size, range, 206, &body)
    };
    let exchange = pin!(exchange);
    let timer = pin!(sleep(access.timeout));
    match select(exchange, timer).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            controller.abort();
            Err(EstimateProblem::Unreachable(format!(
                "the registry did not answer the Range request within {} s.",
                access.timeout.as_secs()
            )))
        }
    }
}
