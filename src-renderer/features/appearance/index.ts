/**
 * The colour scheme (issue 14): the system's, or Light or Dark chosen in Settings. Mount:
 * - useAppliedTheme(settings.theme) once, at the top of the app;
 * - <AppearanceSection /> in Settings.
 */
export { AppearanceSection } from './AppearanceSection.js';
export { useAppliedTheme } from './use-applied-theme.js';
