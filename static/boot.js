// Starts the page in two steps. A file of its own (not an inline script) so the
// Content-Security-Policy can forbid inline scripts; relative paths so the site works from any sub-path.
//
// 1. `first_paste` (a few KB; built by Trunk as a classic script, as only one ES-module entry is
//    allowed: it defines the global `wasm_bindgen`) makes the paste box in index.html's static markup show the digest of
//    what is pasted: that is all the page needs before it can answer a paste.
// 2. The full page (`digestlens`) is fetched right after — on the first input, after the frame that
//    shows its digest, or shortly after start otherwise — so going offline later still works. It
//    mounts in the hidden `#app` while the static box stays live; once mounted, it replaces the
//    static markup and is handed the box's text as if it had been pasted into it (with the focus
//    and caret), and the files dropped meanwhile as if dropped onto it.
const here = (file) => new URL(`./${file}`, import.meta.url);
/** How long an untouched page waits before fetching the rest (the first paste never waits for it). */
const REST_AFTER_MS = 300;

const box = document.getElementById('paste');
let lastInputType = 'insertText';
/** Files dropped (or a large paste) before the full page is there, for the full page. */
let dropped = [];
let fullPage;

/** Fetches and compiles the full page, then lets it take the static markup's place. */
function loadFullPage() {
  fullPage ??= startFullPage().catch((e) => {
    const panic = document.getElementById('panic');
    panic.textContent = `The rest of the page could not be loaded (${e}); reload to try again.`;
    panic.hidden = false;
  });
  return fullPage;
}

/**
 * Starts the full page in the hidden `#app` while the first box stays live, then hands over (below).
 * Until then every key, paste and drop still lands in the first box (or `dropped`).
 */
async function startFullPage() {
  const [{ default: init }, module] = await Promise.all([
    import('./digestlens.js'),
    WebAssembly.compileStreaming(fetch(here('digestlens_bg.wasm'))),
  ]);
  // A link's answer is brought into view and focused as the full page shows it (ui::reveal), which a
  // hidden page cannot do: opened from a link, the full page mounts visible below the first box.
  if (fromLink) document.getElementById('app').hidden = false;
  await init({ module_or_path: module });
  performance.mark('digestlens:full-page');
  const area = await mounted('#app [data-testid="paste"]');
  // After the full page's first effects: one of them empties the box while nothing is pasted.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  handOver(area);
}

/**
 * Moves what the first box holds — its text as of now, the caret or selection, the focus — and the
 * files dropped meanwhile to the full page's box `area`, and shows the full page in the first box's
 * place. One synchronous step: no input can arrive between reading the first box and the full page
 * having it, so the text shown is always the text hashed.
 */
function handOver(area) {
  const text = box.value;
  const focused = document.activeElement === box;
  const { selectionStart, selectionEnd, selectionDirection } = box;
  const app = document.getElementById('app');
  if (app.hidden) {
    document.getElementById('first').remove();
    app.hidden = false;
  } else {
    // What is on screen of a full page already shown stays where it is as the box above it goes.
    const top = app.getBoundingClientRect().top;
    document.getElementById('first').remove();
    window.scrollBy(0, app.getBoundingClientRect().top - top);
  }
  if (dropped.length) {
    const dataTransfer = new DataTransfer();
    for (const file of dropped) dataTransfer.items.add(file);
    dropped = [];
    const zone = document.querySelector('[data-testid="dropzone"]');
    zone?.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer }));
  }
  if (text) {
    area.value = text;
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: lastInputType }));
  }
  if (focused) {
    area.focus();
    area.setSelectionRange(selectionStart, selectionEnd, selectionDirection);
  }
}

/** Loads `first_paste.js` as a classic script and starts its module on the static markup. */
async function startFirstPaste() {
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = here('first_paste.js').href;
    script.onload = resolve;
    script.onerror = () => reject(new Error('first_paste.js did not load'));
    document.head.append(script);
  });
  // eslint-disable-next-line no-undef -- the global that first_paste.js defines
  await wasm_bindgen({ module_or_path: here('first_paste_bg.wasm') });
}

/** Resolves with the element once the full page has rendered it (Yew renders on a later tick). */
function mounted(selector) {
  return new Promise((resolve) => {
    const look = () => {
      const element = document.querySelector(selector);
      if (element) resolve(element);
      else requestAnimationFrame(look);
    };
    look();
  });
}

/** After the next frame: the digest of the first paste is on screen before the fetch begins. */
const afterNextFrame = () => requestAnimationFrame(() => setTimeout(loadFullPage, 0));

box.addEventListener('input', (e) => {
  lastInputType = e.inputType ?? 'insertText';
  afterNextFrame();
});
// As the full page does (ui::components::input_panel): a paste over 1 MiB is taken as a file, kept
// here until the full page is there.
const LARGE_PASTE = 1024 * 1024;
const LARGE_PASTE_NAME = 'Pasted text (large, taken as a file)';
box.addEventListener('paste', (e) => {
  const text = e.clipboardData?.getData('text/plain');
  if (!text || !document.getElementById('first')) return;
  const file = new File([text], LARGE_PASTE_NAME);
  if (file.size <= LARGE_PASTE) return;
  e.preventDefault();
  dropped.push(file);
  loadFullPage();
});
// Files dropped before the full page is there wait for it (and do not navigate away from the page).
for (const type of ['dragover', 'drop']) {
  document.addEventListener(type, (e) => {
    if (!document.getElementById('first')) return;
    e.preventDefault();
    if (type === 'drop') dropped.push(...(e.dataTransfer?.files ?? []));
    loadFullPage();
  });
}
// A link with an analysis in it (#v1.…) needs the full page at once.
const fromLink = location.hash.length > 1;
if (fromLink) loadFullPage();
await startFirstPaste();
// For tests/e2e/bench/first-load.mjs: the moment the paste box answers with a digest.
performance.mark('digestlens:paste-ready');
if (box.value) afterNextFrame();
else setTimeout(loadFullPage, REST_AFTER_MS);
