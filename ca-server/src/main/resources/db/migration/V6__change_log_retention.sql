-- The change log is pruned by age (servers delete rows older than their retention every hour).
CREATE INDEX changes_created_at ON changes (created_at);
