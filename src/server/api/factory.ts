import { createFactory } from 'hono/factory';
import type { AppEnv } from '../context.js';

/**
 * Every API operation is one file exporting `(services) => handlers`, made with this factory so the
 * validators' types flow to the handler; app.ts registers each on its method and path.
 */
export const api = createFactory<AppEnv>();
