-- 0013: when a clock last resumed, so that an appeal.awaiting_citizen handled after the supplement or progress
-- report that answered it (a requeued delivery, or two copies of minhu-deadlines) does not pause the clock again
-- (docs/deadlines.md). Null for clocks that never resumed.
ALTER TABLE deadline_clocks ADD COLUMN resumed_at timestamptz;
