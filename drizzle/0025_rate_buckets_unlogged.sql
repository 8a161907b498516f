-- A key's token bucket is written on every request of a quiet key. Unlogged, that write commits
-- without waiting for the disk and in one statement (it needed a transaction to turn
-- synchronous_commit off). After a Postgres crash (not a console crash) the buckets start full
-- again: at worst each key gets one more minute's burst, once.
ALTER TABLE api_rate_buckets SET UNLOGGED;
