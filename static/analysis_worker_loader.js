// Starts the analysis worker (src/ui/analysis, src/bin/analysis_worker.rs): loads its WebAssembly
// module, or tells the page at once that it could not, instead of leaving it waiting.
importScripts('./analysis_worker.js');
wasm_bindgen({ module_or_path: './analysis_worker_bg.wasm' }).catch((error) => {
  // serde's JSON for protocol::Event::NotLoaded.
  postMessage(JSON.stringify({ NotLoaded: { detail: String(error) } }));
});
