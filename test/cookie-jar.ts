/** A browser's cookie store, as far as tests need one: what each response sets, expires or keeps. */
export type CookieJar = Map<string, string>;

export function keepCookies(jar: CookieJar, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    if (/max-age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
    else jar.set(name, pair!.slice(eq + 1));
  }
}

/** The Cookie header for the jar's contents. */
export const cookieHeader = (jar: CookieJar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
