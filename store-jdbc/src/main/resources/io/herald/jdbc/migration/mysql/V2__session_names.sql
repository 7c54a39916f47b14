-- Names of durable sessions (SessionStore.claim): the row of a bound name holds its session's id. A claim locks
-- the name's row before the session's; deleting or purging a session removes the row still pointing to it.
-- Binary collation, so that names compare exactly, as the other databases compare them.
CREATE TABLE ${prefix}session_name (
    name       VARCHAR(255) PRIMARY KEY,
    session_id VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ${prefix}session_name_session ON ${prefix}session_name (session_id);
