-- Installs pg_stat_statements when its library is preloaded (always so on the temporary cluster).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements
