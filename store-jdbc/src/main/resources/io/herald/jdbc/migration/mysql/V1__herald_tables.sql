-- Herald's tables on MariaDB/MySQL; binary collation, so that channel and client ids compare byte for byte. ${prefix} keeps several clusters (or test runs) apart in one schema.
-- Each channel's counter row: its epoch and the last offset handed out; appends lock it (SELECT ... FOR UPDATE).
CREATE TABLE ${prefix}channel (
    channel   VARCHAR(255) PRIMARY KEY,
    epoch     VARCHAR(16)  NOT NULL,
    head      BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- History: the primary key (channel, pos) is the index replay and pruning walk.
CREATE TABLE ${prefix}message (
    channel      VARCHAR(255) NOT NULL,
    pos          BIGINT       NOT NULL,
    msg_id       VARCHAR(255) NOT NULL,
    publisher_id BOOLEAN      NOT NULL,
    type         VARCHAR(255),
    content_type VARCHAR(255) NOT NULL,
    headers      LONGBLOB,
    payload      LONGBLOB        NOT NULL,
    created_at   BIGINT       NOT NULL,
    PRIMARY KEY (channel, pos)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ${prefix}message_id ON ${prefix}message (channel, msg_id);

CREATE TABLE ${prefix}session (
    id            VARCHAR(255) PRIMARY KEY,
    principal     TEXT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    subscriptions LONGBLOB        NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ${prefix}session_expiry ON ${prefix}session (expires_at);

-- Presence: one lock row per channel serializes every change of the channel across nodes.
CREATE TABLE ${prefix}presence_channel (
    channel  VARCHAR(255) PRIMARY KEY,
    next_seq BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE ${prefix}presence_member (
    channel    VARCHAR(255) NOT NULL,
    client_id  VARCHAR(255) NOT NULL,
    user_id    VARCHAR(255) NOT NULL,
    info       LONGBLOB        NOT NULL,
    joined_at  BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL,
    seq        BIGINT       NOT NULL,
    PRIMARY KEY (channel, client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ${prefix}presence_member_expiry ON ${prefix}presence_member (expires_at);
CREATE TABLE ${prefix}presence_user (
    channel     VARCHAR(255) NOT NULL,
    user_id     VARCHAR(255) NOT NULL,
    connections INT          NOT NULL,
    since       BIGINT       NOT NULL,
    end_at      BIGINT,
    seq         BIGINT       NOT NULL,
    PRIMARY KEY (channel, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ${prefix}presence_user_leaving ON ${prefix}presence_user (connections, end_at);
CREATE TABLE ${prefix}presence_total (
    channel  VARCHAR(255) NOT NULL,
    user_id  VARCHAR(255) NOT NULL,
    total_ms BIGINT       NOT NULL,
    PRIMARY KEY (channel, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
