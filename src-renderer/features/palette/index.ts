/** The command palette (Ctrl+K / Cmd+K). Mount <CommandPalette> while open; the main screen owns the shortcut. */
export { CommandPalette } from './CommandPalette.js';
export { modifierLabel } from './commands.js';
