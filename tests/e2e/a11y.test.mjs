// End-to-end: accessibility checked by a real checker (axe-core, run inside the built page in
// headless Chromium): no serious or critical violation, in light and dark colour schemes and at phone
// width, on the empty page and with a full analysis loaded. Also: the page works by keyboard alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriousViolations } from './lib/axe.mjs';
import { useApp } from './lib/harness.mjs';

async function loadEverything(app) {
  await app.page.click('[data-testid="example"][data-example="multi-platform"]');
  await app.waitForDigests(7);
  await app.page.click('[data-testid="explainer"] summary');
}

describe('accessibility', () => {
  const app = useApp();

  for (const scheme of ['light', 'dark']) {
    test(`no serious or critical axe violations in the ${scheme} scheme, empty and with an analysis`, async () => {
      const page = app().page;
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await seriousViolations(page), [], 'empty page');
      await loadEverything(app());
      assert.deepEqual(await seriousViolations(page), [], 'with the multi-platform example loaded');
    });
  }

  test('no serious or critical axe violations at phone width, and nothing wider than the screen', async () => {
    const page = app().page;
    await page.setViewportSize({ width: 375, height: 740 });
    await loadEverything(app());
    assert.deepEqual(await seriousViolations(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 375px screen`);
  });

  test('keyboard alone: tab to the paste box, type, and tab on to a copy button with a visible focus', async () => {
    const page = app().page;
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.dataset.testid === 'paste');
    }
    assert.ok(reached, 'the paste box is reachable by Tab');
    await page.keyboard.type('{}');
    await app().waitForDigests(1);
    let copy = false;
    for (let i = 0; i < 30 && !copy; i++) {
      await page.keyboard.press('Tab');
      copy = await page.evaluate(() => document.activeElement?.classList.contains('copy'));
    }
    assert.ok(copy, 'a copy button is reachable by Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows a focus outline');
  });
});
