// The window's preload (sandboxed, context-isolated; bundled into one CommonJS file because a
// sandboxed preload cannot require files of its own). All it does is in bridge.ts.
import { contextBridge, ipcRenderer } from 'electron';
import { installBridge } from './bridge.ts';

installBridge({
  ipc: ipcRenderer,
  expose: (key, api) => contextBridge.exposeInMainWorld(key, api),
  window,
  platform: process.platform,
});
