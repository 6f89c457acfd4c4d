-- Visits: the position of a visit in its day's route (the visit planner keeps
-- the order the rep gave) and the outcome written in the visit report.
ALTER TABLE visits ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX visits_assignee_start ON visits (assignee, deleted, start_at);
-- The visit brief lists a company's open tasks.
CREATE INDEX tasks_company ON tasks (company_id);
