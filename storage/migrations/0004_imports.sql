-- 0004 imports: what the last import of the participant list set for each person.
-- A re-import changes a field only while it still holds the value the previous import wrote
-- (or is empty): what people set themselves, with /profile or /language, wins over the list.

ALTER TABLE people ADD COLUMN imported TEXT;  -- JSON object field -> value last imported; NULL = never
