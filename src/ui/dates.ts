/**
 * Every date and time shown to people, on every page (responders' and consoles alike): "23 Apr 1989",
 * "28 Mar 2027, 14:05 GMT", London time with the zone said. One formatter, kept in the domain so the
 * person's access report (a domain text) reads the same.
 */
export { readableDate, readableDateTime, readableTime } from '../plans/core/local-time.js';
