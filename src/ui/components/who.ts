/** Who is signed in, for the page header. */
export type Who = { sub: string; org: string } | undefined;
