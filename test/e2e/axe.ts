// axe-core as every end-to-end suite runs it: on a page that has settled, in
// each theme, one line per violation so a failure names what and where.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * Mid-animation a dialog is translucent, and a control mid-transition (a hover, or
 * colours changing with the theme) blends two colours; axe would measure those and
 * fail at random. Move the pointer off every control and let every animation and
 * transition that ends finish (a spinner turns forever, so it is not waited for).
 */
export async function settle(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime ?? Infinity))
        .map((animation) => animation.finished),
    ),
  );
}

/** Every violation on the settled page as it is now, or inside `include` (a CSS selector). */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  await settle(page);
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const result = await builder.analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** The page's violations in the light and the dark theme; the colour scheme goes back to the system's after. */
export async function violationsInBothThemes(page: Page, include?: string): Promise<Record<Theme, string[]>> {
  const found = {} as Record<Theme, string[]>;
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    found[theme] = await axeViolations(page, include);
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}
