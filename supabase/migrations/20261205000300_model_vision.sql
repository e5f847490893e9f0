-- =====================================================================================================
-- PocketLLM: whether a saved model takes images (`settings.vision`). Null: not said, and the catalogue's
-- facts kept in `metadata` (input modalities) decide; a reply with images to a model that takes none, or
-- of which nothing is known, is refused before any provider call (422 model_lacks_vision).
-- =====================================================================================================

alter table public.model_configs add column if not exists vision boolean;
