/** Injected everywhere time matters, so tests can move it (review-by dates, agreements, checkpoints). */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Dates in this service (review-by, agreements) are calendar dates compared as `YYYY-MM-DD`. */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
