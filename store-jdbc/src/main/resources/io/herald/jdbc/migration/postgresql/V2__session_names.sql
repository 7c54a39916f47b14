-- Names of durable sessions (SessionStore.claim): the row of a bound name holds its session's id. A claim locks
-- the name's row before the session's; deleting or purging a session removes the row still pointing to it.
CREATE TABLE ${prefix}session_name (
    name       VARCHAR(255) PRIMARY KEY,
    session_id VARCHAR(255) NOT NULL
);
CREATE INDEX ${prefix}session_name_session ON ${prefix}session_name (session_id);
