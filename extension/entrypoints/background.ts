/** The background: routes each tab's hook events to that tab's panels (see shell/router.ts). */
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { type RouterPort, TabRouter } from '../shell/router.ts';

export default defineBackground(() => {
  const router = new TabRouter();
  browser.runtime.onConnect.addListener((port) => router.connect(port as unknown as RouterPort));
});
