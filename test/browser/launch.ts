// Debian's Chromium, as `npm test` installs it (scripts/test-setup.ts); Playwright's own browser download does not work here.
// Kept free of vitest so `npm run screenshots` can use it too.
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
