import { Hono } from 'hono';
import type { AppServices, WebEnv } from '../../context.js';
import { managePlanRoutes } from './plans.js';
import { manageReviewRoutes } from './reviews.js';
import { manageWithdrawHistoryRoutes } from './withdraw-history.js';
import { manageCardRoutes } from './cards.js';
import { manageCopyRoutes } from './copies.js';

/** The authoring console under /manage: authors write and revise, approvers review, withdraw; cards; history. */
export function manageRoutes(services: AppServices) {
  return new Hono<WebEnv>()
    .route('/', managePlanRoutes(services))
    .route('/', manageReviewRoutes(services))
    .route('/', manageWithdrawHistoryRoutes(services))
    .route('/', manageCardRoutes(services))
    .route('/', manageCopyRoutes(services));
}
