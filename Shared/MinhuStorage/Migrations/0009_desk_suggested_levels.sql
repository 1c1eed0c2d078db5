-- 0009: the manual desk shows the suggested levels 2 and 3 of the category (the subcategory rules' answer for the
-- suggested level 1), so a dispatcher starts from the full path (docs/dispatcher.md, "Manual desk").
ALTER TABLE desk_items ADD COLUMN suggested_level2 text, ADD COLUMN suggested_level3 text;
