// Adds the "syncscope" panel to DevTools for the inspected tab.
import { browser } from 'wxt/browser';

browser.devtools.panels.create('syncscope', '', '/devtools-panel.html');
