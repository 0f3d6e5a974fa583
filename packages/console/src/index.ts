/**
 * @packageDocumentation
 * The admin console. The browser app lives in `app/` and is built by Vite into `dist/app`; this
 * node-side entry only tells the api where that build is, so the api serves it without knowing
 * this package's layout.
 */
export { CONSOLE_ASSETS_DIR, CONSOLE_INDEX_FILE } from './assets';
