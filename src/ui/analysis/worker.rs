//! The worker side: runs in a dedicated Web Worker (`src/bin/analysis_worker.rs`), so comparing
//! two large documents or trying every re-serialization of one never blocks the page, and the
//! page's own module does not carry this code. One command at a time, in the order they came;
//! two layer blobs are compared as they stream in (`layer_diff`), which may download them.

use super::layer_diff::compare_layers;
use super::protocol::{Answer, Command, Event, Task, BYTES};
use crate::core::diagnose::report::{ComparisonReport, ExpectedReport, RenderingReport};
use crate::core::diagnose::{check_expected, compare, repush_preview, Expected};
use crate::core::document::Document;
use crate::ui::worker_message::{post_event, read_command, worker_scope};
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let command = read_command::<Command>(&data);
        // A question this worker cannot read comes from a page of another version (the worker is
        // fetched after the page, maybe from a newer deployment): say so, never leave it waiting.
        let Some(command) = command else {
            post_event(&Event::NotLoaded {
                detail: "it could not read the page's question: the page and its worker are of \
                         different versions"
                    .into(),
            });
            return;
        };
        let buffers: Vec<Uint8Array> = Reflect::get(&data, &JsValue::from_str(BYTES))
            .ok()
            .and_then(|b| b.dyn_into::<Array>().ok())
            .map(|array| {
                array
                    .iter()
                    .filter_map(|b| b.dyn_into::<Uint8Array>().ok())
                    .collect()
            })
            .unwrap_or_default();
        let id = command.id;
        if let Task::CompareLayers { a, b } = &command.task {
            // Streams blobs (maybe downloads): the page sends its next command only after this
            // one's answer, so one runs at a time still.
            let (a, b) = (a.clone(), b.clone());
            wasm_bindgen_futures::spawn_local(async move {
                post_event(&match compare_layers(&a, &b, &buffers).await {
                    Ok(difference) => Event::Done {
                        id,
                        answer: Answer::LayersCompared(difference),
                    },
                    Err(message) => Event::Failed { id, message },
                });
            });
            return;
        }
        let bytes: Vec<Vec<u8>> = buffers.iter().map(Uint8Array::to_vec).collect();
        post_event(&match run(&command, &bytes) {
            Ok(answer) => Event::Done { id, answer },
            Err(message) => Event::Failed { id, message },
        });
    });
    worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post_event(&Event::Ready);
}

fn run(command: &Command, bytes: &[Vec<u8>]) -> Result<Answer, String> {
    if bytes.len() != command.origins.len() || bytes.is_empty() {
        return Err("The documents did not reach the page's worker whole.".into());
    }
    let documents: Vec<Document> = bytes
        .iter()
        .zip(&command.origins)
        .map(|(b, origin)| Document::new(b.as_slice(), origin.clone()))
        .collect();
    match (&command.task, documents.as_slice()) {
        (Task::Compare, [a, b]) => Ok(Answer::Compared(ComparisonReport::of(&compare(a, b)))),
        (Task::CheckExpected { expected }, [document, family @ ..]) => {
            let expected: Expected = expected.parse().map_err(|e| format!("{e}"))?;
            let family: Vec<&Document> = family.iter().collect();
            let check = check_expected(document, &expected, &family);
            Ok(Answer::Checked(ExpectedReport::of(&check, document.analysis())))
        }
        (Task::Repush, [document]) => Ok(Answer::Repushed(
            repush_preview(document).iter().map(RenderingReport::of).collect(),
        )),
        _ => Err("The page's worker was sent the wrong number of documents.".into()),
    }
}
