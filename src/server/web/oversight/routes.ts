import { Hono } from 'hono';
import type { AppServices, WebEnv } from '../../context.js';
import { adminPageRoutes } from './admin.js';
import { auditConsoleRoutes } from './audit.js';
import { flagPageRoutes } from './flags.js';
import { reportPageRoutes } from './report.js';

/** The auditor (`/audit…`) and administrator (`/admin…`) pages of issue 14. */
export const oversightRoutes = (services: AppServices) =>
  new Hono<WebEnv>()
    .route('/', auditConsoleRoutes(services))
    .route('/', flagPageRoutes(services))
    .route('/', reportPageRoutes(services))
    .route('/', adminPageRoutes(services));
