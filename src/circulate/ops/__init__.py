"""Operations: request logs, structured log lines, Prometheus metrics and backups, shared by every domain."""
