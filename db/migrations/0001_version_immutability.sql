-- Once a version leaves draft its content is the record of what was approved: refuse any change to it,
-- whatever code path tries. Status moves forward (published -> superseded/withdrawn) are still allowed.
CREATE TRIGGER plan_versions_content_immutable
BEFORE UPDATE OF subject, locations, content, governance, content_hash, review_by, authors ON plan_versions
WHEN OLD.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'plan version content is immutable once submitted');
END;
--> statement-breakpoint
CREATE TRIGGER plan_versions_no_delete
BEFORE DELETE ON plan_versions
WHEN OLD.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'submitted plan versions are never deleted');
END;
