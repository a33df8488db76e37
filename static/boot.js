// Starts the WebAssembly page. A file of its own (not an inline script) so the Content-Security-Policy
// can forbid inline scripts; relative paths so the site works from any sub-path.
import init from './digestlens.js';

await init({ module_or_path: new URL('./digestlens_bg.wasm', import.meta.url) });
