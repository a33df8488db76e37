// End-to-end: the fetch settings' timeout field says which timeout requests use when what is typed
// cannot be used (empty, negative, zero), instead of silently falling back to some other value.
// The range (1 to 600 seconds) and the fallback (30) are the ones the page's help states.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useApp } from './lib/harness.mjs';

describe('the fetch timeout setting', () => {
  const app = useApp();

  /** Opens the settings, types `value` into the timeout field and reads what the field reports. */
  async function typeTimeout(value) {
    const page = app().page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="timeout"]', value);
    const field = page.locator('[data-testid="timeout"]');
    const note = page.locator('[data-testid="timeout-note"]');
    return {
      typed: await field.inputValue(),
      seconds: await field.getAttribute('data-seconds'),
      note: (await note.count()) ? (await note.textContent()).trim() : null,
      noteVisible: (await note.count()) ? await note.isVisible() : false,
    };
  }

  for (const value of ['0', '-5', '']) {
    test(`a timeout of ${JSON.stringify(value)} says it is out of range and which timeout is used instead`, async () => {
      const shown = await typeTimeout(value);
      assert.equal(shown.note, 'Between 1 and 600 seconds; using 30.');
      assert.ok(shown.noteVisible, 'the message is visible');
      assert.equal(shown.seconds, '30', 'requests use the stated 30 seconds');
      assert.equal(shown.typed, value, 'what was typed stays in the field');
    });
  }

  test('a timeout in range is used as typed, without a message', async () => {
    const shown = await typeTimeout('45');
    assert.equal(shown.note, null);
    assert.equal(shown.seconds, '45');
    const back = await typeTimeout('0');
    assert.equal(back.seconds, '30', 'an unusable value goes back to the stated default, not the last one typed');
    const again = await typeTimeout('45');
    assert.equal(again.note, null, 'the message goes once the value is usable again');
    assert.equal(again.seconds, '45');
  });
});
