-- A send whose outcome is unknown is `in_doubt` (it no longer holds its chat's queue); `resolution`
-- carries an operator's decision (`resend`) to the next dispatch.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('queued', 'dispatched', 'sent', 'failed', 'expired', 'in_doubt'));
ALTER TABLE outbox ADD COLUMN resolution text CHECK (resolution IN ('resend'));
CREATE INDEX outbox_in_doubt ON outbox (account, n) WHERE state = 'in_doubt';
