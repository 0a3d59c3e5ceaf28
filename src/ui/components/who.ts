/** The consoles a person may open, linked from every page's header (the server asks policy.consolesOf). */
export type HeaderLink = { href: string; label: string };

/** Who is signed in, for the page header, with the organisation by name and their consoles. */
export type Who = { sub: string; org: string; links?: readonly HeaderLink[] } | undefined;
