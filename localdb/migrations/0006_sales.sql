-- Add-on sales and targets: a product catalog, line items on deals (the deal
-- amount follows them) and monthly sales targets per rep. All three sync like
-- every other entity, so they carry the same metadata columns.

CREATE TABLE products (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    sku        TEXT NOT NULL DEFAULT '',
    price      INTEGER NOT NULL DEFAULT 0,
    currency   TEXT NOT NULL DEFAULT 'EUR',
    notes      TEXT NOT NULL DEFAULT ''
) STRICT;
-- Not UNIQUE: two offline clients may create the same SKU, and a pulled
-- record must never fail to apply. Writes through the store refuse a taken
-- SKU instead.
CREATE INDEX products_sku ON products (sku COLLATE NOCASE, deleted);

CREATE TABLE line_items (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    deal_id    TEXT NOT NULL DEFAULT '',
    product_id TEXT NOT NULL DEFAULT '',
    quantity   INTEGER NOT NULL DEFAULT 1,
    unit_price INTEGER NOT NULL DEFAULT 0
) STRICT;
-- product_id too: suggestions read every won deal's products from it.
CREATE INDEX line_items_deal ON line_items (deal_id, deleted, product_id);
CREATE INDEX line_items_product ON line_items (product_id);

CREATE TABLE targets (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    month      TEXT NOT NULL DEFAULT '',
    rep        TEXT NOT NULL DEFAULT '',
    amount     INTEGER NOT NULL DEFAULT 0,
    currency   TEXT NOT NULL DEFAULT 'EUR'
) STRICT;
CREATE INDEX targets_month ON targets (month, deleted);

-- The dashboard counts this week's calls, and sums the open pipeline and the
-- won deals of a month from covering indexes (no row look-ups); suggestions
-- find the won deals' companies in the first one too.
CREATE INDEX activities_kind_time ON activities (kind, occurred_at);
CREATE INDEX deals_pipeline ON deals (deleted, stage, owner, expected_close, currency, amount, probability, company_id, id);
CREATE INDEX deals_closed ON deals (closed_at, deleted, stage, owner, currency, amount);
