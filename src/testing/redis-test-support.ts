
/** Shared by the Redis-backed tests of budgets and rate limits (not shipped code). */
export { deleteByPrefix, TEST_REDIS_URL as REDIS_URL, redisReachable } from './services.js';

