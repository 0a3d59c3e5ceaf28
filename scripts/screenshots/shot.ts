import type { Page } from 'playwright-core';

/** Screen sizes the service is used on (DESIGN §2). */
export const sizes = {
  desk: { width: 1366, height: 768 },
  car: { width: 1024, height: 768 },
  phone: { width: 390, height: 844 },
} as const;
export type SizeName = keyof typeof sizes;

/** What a shot file can use: the running service's URL and a way to find a plan to show. */
export type ShotContext = { baseUrl: string; anyPlanId(): Promise<string> };

/**
 * One page to photograph. `as` signs in with a demo identity first (development sign-in; `null` stays
 * signed out); `purpose` states one. `open` navigates (and may click or fill); the default goes to `path`.
 */
export type Shot = {
  name: string;
  as: string | null;
  purpose?: string;
  path?: string;
  open?: (page: Page, ctx: ShotContext) => Promise<void>;
  sizes?: SizeName[];
};
