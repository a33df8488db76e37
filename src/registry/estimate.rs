//! A layer's uncompressed size before it is downloaded: one `Range` request for the few bytes
//! that hold it, sent the way the layer's download would be (the proxy prefix, timeout and
//! `Authorization` of [`BlobAccess`]). What to ask and what the answer means is decided by
//! `core::layer::estimate`; this only sends and receives.

use super::blob::BlobAccess;
use super::http::{global_origin, Connection, Failure, Opened, Request};
use super::stream::ChunkReader;
use super::time::Cancel;
use crate::core::digest::Digest;
use crate::core::layer::compression::SizeEstimate;
use crate::core::layer::estimate::{check_headers, plan, read_answer, EstimateProblem, Plan};
use crate::core::layer::Encoding;
use crate::core::reference::Reference;
use web_sys::AbortController;

/// Asks for the bytes of blob `digest` (`size` bytes, `encoding`) that tell its uncompressed
/// size. A registry that ignores `Range` and starts sending the whole blob (status 200), a 206
/// declared longer than the range or naming other bytes (`Content-Range`), is cut off at its
/// headers; a 206 without `Content-Length` is read one byte past the range, then cut off: this
/// never downloads a layer. `None` when `cancel` stopped it (the panel went, or the estimates
/// were asked for again): there is nothing to report.
pub async fn estimate(
    access: &BlobAccess,
    reference: &Reference,
    digest: &Digest,
    encoding: Encoding,
    size: u64,
    cancel: &Cancel,
) -> Option<Result<SizeEstimate, EstimateProblem>> {
    let range = match plan(encoding, size) {
        Ok(Plan::Known(estimate)) => return Some(Ok(estimate)),
        Ok(Plan::Ask(range)) => range,
        Err(problem) => return Some(Err(problem)),
    };
    let no_answer = |why: &str| EstimateProblem::Unreachable(why.to_owned());
    let Ok(controller) = AbortController::new() else {
        return Some(Err(no_answer("the browser could not start the request.")));
    };
    let page_origin = global_origin();
    let connection = Connection {
        reference,
        proxy: access.proxy(),
        page_origin: &page_origin,
        timeout: access.timeout,
        cancel: Some(cancel.clone()),
    };
    let url = access.url(reference, digest);
    let header = range.header();
    let request = Request::get(&url)
        .authorization(access.authorization.as_deref())
        .range(Some(&header));
    let response = match connection.open(request, &controller).await {
        Ok(Opened::Answered(response)) => response,
        Ok(Opened::Unreadable) => {
            return Some(Err(no_answer(
                "the Range request got no answer the page may read (the registry is unreachable, or refuses it by CORS).",
            )))
        }
        Err(Failure::Registry(e)) => return Some(Err(EstimateProblem::Unreachable(e.to_string()))),
        Err(Failure::Cancelled) => return None,
    };
    let headers = response.headers();
    let length = headers.get("content-length").and_then(|l| l.trim().parse().ok());
    let content_range = headers.get("content-range");
    let checked = check_headers(range, size, response.status(), length, content_range.as_deref());
    let check = match checked {
        Ok(check) => check,
        Err(problem) => {
            controller.abort();
            return Some(Err(problem));
        }
    };
    // One byte past the range, so an answer that goes on is seen to be longer than asked.
    let read = async {
        match response.body() {
            Some(stream) => ChunkReader::new(&stream).read_up_to(range.byte_count() + 1).await,
            None => Some(Vec::new()),
        }
    };
    let body = connection.race(read, &controller).await;
    controller.abort();
    Some(match body {
        Ok(Some(body)) => read_answer(encoding, size, range, 206, &body).map(|e| check.qualify(e)),
        Ok(None) => Err(no_answer("the answer to the Range request broke off.")),
        Err(Failure::Registry(e)) => Err(EstimateProblem::Unreachable(e.to_string())),
        Err(Failure::Cancelled) => return None,
    })
}
