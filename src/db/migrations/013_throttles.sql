-- 013_throttles.sql: throttles counted by conditional updates, so that parallel
-- attempts through many processes cannot pass a limit (a count read, then
-- written, let eight password tries through where five were allowed).

-- Staff logins: an attempt is counted before the password is checked and the
-- row deleted by a success. Keys: "a:<client address> u:<username>" (the lock an
-- attacker can cause hits her own address only) and "u:<username>" (a higher
-- limit over every address outside the trusted networks).
DROP TABLE login_attempts;
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- One-time codes sent per phone in the current window.
CREATE TABLE otp_sends (
    phone TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    sent BIGINT NOT NULL
);
