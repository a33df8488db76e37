//! A layer's uncompressed size before it is downloaded: one `Range` request for the few bytes
//! that hold it, sent the way the layer's download would be (the proxy prefix, timeout and
//! `Authorization` of [`BlobAccess`]). What to ask and what the answer means is decided by
//! `core::layer::estimate`; this only sends and receives.

use super::blob::BlobAccess;
use super::http::{global_origin, within, Connection, Failure, Opened, Request};
use crate::core::digest::Digest;
use crate::core::layer::compression::SizeEstimate;
use crate::core::layer::estimate::{plan, read_answer, EstimateProblem, Plan};
use crate::core::layer::Encoding;
use crate::core::reference::Reference;
use web_sys::AbortController;

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
    let page_origin = global_origin();
    let connection = Connection {
        reference,
        proxy: access.proxy(),
        page_origin: &page_origin,
        timeout: access.timeout,
        cancel: None,
    };
    let url = access.url(reference, digest);
    let header = range.header();
    let request = Request::get(&url)
        .authorization(access.authorization.as_deref())
        .range(Some(&header));
    let response = match connection.open(request, &controller).await {
        Ok(Opened::Answered(response)) => response,
        Ok(Opened::Unreadable) => {
            return Err(no_answer(
                "the Range request got no answer the page may read (the registry is unreachable, or refuses it by CORS).",
            ))
        }
        Err(Failure::Registry(e)) => return Err(EstimateProblem::Unreachable(e.to_string())),
        Err(Failure::Cancelled) => return Err(no_answer("the Range request was stopped.")),
    };
    let length: Option<u64> = response
        .headers()
        .get("content-length")
        .and_then(|l| l.trim().parse().ok());
    if response.status() != 206 || length.is_some_and(|l| l > range.byte_count()) {
        controller.abort();
        return match response.status() {
            206 => Err(EstimateProblem::Short {
                got: length.unwrap_or(u64::MAX),
                wanted: range.byte_count(),
            }),
            status => read_answer(encoding, size, range, status, &[]),
        };
    }
    let body = within(access.timeout, response.binary()).await;
    controller.abort();
    match body {
        Some(Ok(body)) => read_answer(encoding, size, range, 206, &body),
        Some(Err(_)) => Err(no_answer("the answer to the Range request broke off.")),
        None => Err(EstimateProblem::Unreachable(format!(
            "the registry did not answer the Range request within {} s.",
            access.timeout.as_secs()
        ))),
    }
}
