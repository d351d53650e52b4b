-- What a reader sees of a storyline beside its title: "Kabul, Taliban: 6 events, Aug 14–31",
-- the names its stories share, and for each later story the earlier one it continues (cosine,
-- shared names, days apart). JSON written by `rebuild_storylines`; NULL until storylines are
-- rebuilt (any ingest or `wiretrace recluster` does).
ALTER TABLE storylines ADD COLUMN summary_json TEXT;
