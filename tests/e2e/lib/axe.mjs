// axe-core, the accessibility checker, run inside the page. It is evaluated over the DevTools
// protocol, which the page's Content-Security-Policy does not govern (an injected <script> would be
// blocked, as it should be).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The serious and critical violations axe finds in `page`, one readable line each. */
export async function seriousViolations(page) {
  const results = await page.evaluate(`${AXE_SOURCE}; axe.run(document, { resultTypes: ['violations'] })`);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
