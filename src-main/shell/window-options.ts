/**
 * The main window's constructor options.
 *
 * Pure: builds a plain object and touches no Electron API, so unit tests can
 * check every security flag without a display.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowSettings {
  /** Whether DevTools can be opened; off in packaged builds. */
  devTools: boolean;
}

export function createMainWindowOptions(preloadPath: string, settings: MainWindowSettings): BrowserWindowConstructorOptions {
  return {
    title: 'Strongroom',
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 560,
    // Shown on 'ready-to-show' so the user never sees an empty frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      // The renderer holds secrets in memory: it gets no Node, no Electron
      // internals and a Chromium sandbox. Only the preload's API crosses.
      contextIsolation: true, // do not relax
      sandbox: true, // do not relax
      nodeIntegration: false, // do not relax
      nodeIntegrationInWorker: false, // do not relax
      nodeIntegrationInSubFrames: false, // do not relax
      webSecurity: true, // do not relax
      allowRunningInsecureContent: false, // do not relax
      experimentalFeatures: false, // do not relax
      webviewTag: false, // do not relax
      // A file dropped on the window would otherwise replace the app with it.
      navigateOnDragDrop: false, // do not relax
      // Typed text, secrets included, would reach the OS spelling service, and
      // Linux builds would fetch dictionaries from Google's CDN.
      spellcheck: false, // do not relax
      // Lets the user stop a page that loops on alert() dialogs.
      safeDialogs: true, // do not relax
      // Middle-click on a link would ask for a new window. The open handler
      // denies that too; this keeps the request from being made.
      disableBlinkFeatures: 'Auxclick', // do not relax
      devTools: settings.devTools,
    },
  };
}
