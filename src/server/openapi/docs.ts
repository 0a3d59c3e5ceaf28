import { Hono } from 'hono';
export const docsRoutes = () => new Hono();
