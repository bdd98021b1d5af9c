/**
 * The elements Tab stops at inside a container, in order. A modal <dialog>
 * makes the page inert but lets Tab leave the last control for the browser's
 * own UI (or nowhere, in a headless one); Dialog wraps focus with this list.
 */
const CANDIDATES = 'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable="true"]';

function isTabStop(element: HTMLElement): boolean {
  if (element.tabIndex < 0 || element.matches(':disabled') || element.closest('[inert]')) return false;
  if (!element.checkVisibility({ visibilityProperty: true })) return false;
  // A radio group is one stop: its checked radio, or its first when none is.
  if (element instanceof HTMLInputElement && element.type === 'radio' && element.name) {
    const group = Array.from(element.form?.elements ?? document.querySelectorAll('input[type="radio"]')).filter(
      (candidate): candidate is HTMLInputElement => candidate instanceof HTMLInputElement && candidate.type === 'radio' && candidate.name === element.name,
    );
    const checked = group.find((radio) => radio.checked);
    return checked ? checked === element : group[0] === element;
  }
  return true;
}

/** Positive tabindex values are not used in this app, so document order is tab order. */
export function tabStops(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(CANDIDATES)).filter(isTabStop);
}
