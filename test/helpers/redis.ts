/** The Redis the tests use (.ci/run starts it): SWITCHYARD_TEST_REDIS_URL or the local default. */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';
