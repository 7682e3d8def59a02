// Facts about the product that main needs at run time; electron-builder.yml says the same for
// packaging (appId, protocol, publish feed) — keep the two in step.
export const PRODUCT_NAME = 'Switchboard';
/** electron-builder's appId; also the Windows App User Model ID, which toasts need. */
export const APP_ID = 'chat.switchboard.desktop';
/** Where releases are published (electron-builder.yml `publish`); deb/rpm users are sent here. */
export const RELEASES_URL = 'https://github.com/switchboard-chat/switchboard/releases';
