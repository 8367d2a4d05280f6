-- An erasure blanks a v2 entry's clear words in entry_search (0007), but the trigger let any
-- blanking through, so a writer could hide an entry from search without recording why; the
-- verifier does not read entry_search, so nothing would tell. A column may now be blanked only
-- when entry_removals already holds that seq's removal of the field it derives from (actor 0,
-- resource 1, payload 2), which shredValues inserts first in the same transaction.
CREATE OR REPLACE FUNCTION "sealtrail_search_scrub_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.log_id = OLD.log_id AND NEW.seq = OLD.seq
     AND (NEW.actor = OLD.actor OR (NEW.actor = '' AND EXISTS (
       SELECT 1 FROM entry_removals r WHERE r.log_id = OLD.log_id AND r.seq = OLD.seq AND r.field = 0)))
     AND (NEW.resource = OLD.resource OR (NEW.resource = '' AND EXISTS (
       SELECT 1 FROM entry_removals r WHERE r.log_id = OLD.log_id AND r.seq = OLD.seq AND r.field = 1)))
     AND (NEW.search = OLD.search OR (NEW.search = ''::tsvector AND EXISTS (
       SELECT 1 FROM entry_removals r WHERE r.log_id = OLD.log_id AND r.seq = OLD.seq AND r.field = 2))) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'sealtrail: % on %.% is forbidden: search rows may only be blanked by a recorded erasure or expiry', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
