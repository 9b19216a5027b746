/**
 * The product's own schema, c360, as ordered migrations. Applied once each, in order, recorded in
 * c360.schema_migrations with a checksum; an applied migration is never edited (add a new one).
 * They may read the CRM tables (search path: CRM schema, then c360) but never change them.
 * Their SQL is literal text, never built from code that may change later.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'trigram extension',
    // pg_trgm is a trusted extension: the database owner may create it. Kept where it already is.
    sql: `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA c360;`,
  },
  {
    version: 2,
    name: 'customer search index',
    sql: `
      CREATE MATERIALIZED VIEW c360.customer_search AS
      SELECT c.id AS customer_id,
             lower(c.full_name) AS name,
             coalesce(lower(btrim(c.email, E' \\t\\n\\r' || chr(160) || chr(12288))), '') AS email,
             coalesce(regexp_replace(replace(c.phone, '(0)', ''), '\\D', '', 'g'), '') AS phone_digits,
             coalesce(o.numbers, '') AS order_numbers,
             concat_ws(' ', lower(c.full_name), lower(btrim(c.email, E' \\t\\n\\r' || chr(160) || chr(12288))),
                       regexp_replace(replace(c.phone, '(0)', ''), '\\D', '', 'g'), o.numbers) AS doc
        FROM customers c
        LEFT JOIN LATERAL (
          SELECT string_agg(lower(order_number), ' ' ORDER BY order_number) AS numbers FROM orders WHERE customer_id = c.id
        ) o ON true
       WHERE c.status <> 'erased';
      CREATE UNIQUE INDEX customer_search_pk ON c360.customer_search (customer_id);
      CREATE INDEX customer_search_doc_trgm ON c360.customer_search USING gin (doc gin_trgm_ops);`,
  },
  {
    version: 3,
    name: 'tag definitions',
    // Versioned: a change inserts a new version; the latest version of a key is the one in force.
    sql: `
      CREATE TABLE c360.tag_definitions (
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
        version int NOT NULL CHECK (version > 0),
        label text NOT NULL,
        family text NOT NULL CHECK (family IN ('DEMOGRAPHIC', 'BEHAVIOUR', 'INTEREST', 'VALUE', 'LIFECYCLE', 'RISK', 'PREFERENCE')),
        description text NOT NULL,
        expression text NOT NULL,
        enabled boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (key, version)
      );
      INSERT INTO c360.tag_definitions (key, version, label, family, description, expression, enabled, created_by) VALUES
        ('young_adult', 1, 'Young adult', 'DEMOGRAPHIC', 'Under 30 years old.', $cel$facts.profile.age != null && facts.profile.age < 30$cel$, true, 'system'),
        ('senior', 1, 'Senior', 'DEMOGRAPHIC', '60 or older.', $cel$facts.profile.age != null && facts.profile.age >= 60$cel$, true, 'system'),
        ('tier1_city', 1, 'Tier-1 city', 'DEMOGRAPHIC', 'Lives in Beijing, Shanghai, Guangzhou or Shenzhen.', $cel$facts.profile.city in ['Beijing', 'Shanghai', 'Guangzhou', 'Shenzhen']$cel$, true, 'system'),
        ('international', 1, 'International', 'DEMOGRAPHIC', 'Lives outside mainland China.', $cel$facts.profile.country != null && facts.profile.country != 'CN'$cel$, true, 'system'),
        ('frequent_visitor', 1, 'Frequent visitor', 'BEHAVIOUR', '8 or more sessions in the last 30 days.', $cel$facts.behaviour.sessions30d >= 8$cel$, true, 'system'),
        ('cart_abandoner', 1, 'Cart abandoner', 'BEHAVIOUR', 'Added to cart in the last 30 days without buying online.', $cel$'add_to_cart' in facts.behaviour.events30d && !('purchase' in facts.behaviour.events30d)$cel$, true, 'system'),
        ('active_searcher', 1, 'Active searcher', 'BEHAVIOUR', '5 or more searches in the last 30 days.', $cel$'search' in facts.behaviour.events30d && facts.behaviour.events30d['search'] >= 5$cel$, true, 'system'),
        ('browser_only', 1, 'Browses, never bought', 'BEHAVIOUR', 'Visits in the last 30 days but no completed order ever.', $cel$facts.orders.completed == 0 && facts.behaviour.sessions30d > 0$cel$, true, 'system'),
        ('likes_skincare', 1, 'Skincare lover', 'INTEREST', 'Skincare is at least 30 % of the recent interest.', $cel$'skincare' in facts.interests && facts.interests['skincare'] >= 0.3$cel$, true, 'system'),
        ('likes_makeup', 1, 'Makeup lover', 'INTEREST', 'Makeup is at least 30 % of the recent interest.', $cel$'makeup' in facts.interests && facts.interests['makeup'] >= 0.3$cel$, true, 'system'),
        ('likes_outdoor', 1, 'Outdoor lover', 'INTEREST', 'Outdoor is at least 30 % of the recent interest.', $cel$'outdoor' in facts.interests && facts.interests['outdoor'] >= 0.3$cel$, true, 'system'),
        ('likes_electronics', 1, 'Electronics lover', 'INTEREST', 'Electronics is at least 30 % of the recent interest.', $cel$'electronics' in facts.interests && facts.interests['electronics'] >= 0.3$cel$, true, 'system'),
        ('likes_apparel', 1, 'Apparel lover', 'INTEREST', 'Apparel is at least 30 % of the recent interest.', $cel$'apparel' in facts.interests && facts.interests['apparel'] >= 0.3$cel$, true, 'system'),
        ('likes_home', 1, 'Home lover', 'INTEREST', 'Home is at least 30 % of the recent interest.', $cel$'home' in facts.interests && facts.interests['home'] >= 0.3$cel$, true, 'system'),
        ('likes_baby', 1, 'Baby & kids lover', 'INTEREST', 'Baby & kids is at least 30 % of the recent interest.', $cel$'baby' in facts.interests && facts.interests['baby'] >= 0.3$cel$, true, 'system'),
        ('likes_books', 1, 'Books lover', 'INTEREST', 'Books is at least 30 % of the recent interest.', $cel$'books' in facts.interests && facts.interests['books'] >= 0.3$cel$, true, 'system'),
        ('likes_sports', 1, 'Sports lover', 'INTEREST', 'Sports is at least 30 % of the recent interest.', $cel$'sports' in facts.interests && facts.interests['sports'] >= 0.3$cel$, true, 'system'),
        ('likes_food', 1, 'Food & drink lover', 'INTEREST', 'Food & drink is at least 30 % of the recent interest.', $cel$'food' in facts.interests && facts.interests['food'] >= 0.3$cel$, true, 'system'),
        ('high_value', 1, 'High value', 'VALUE', 'Value tier HIGH_VALUE (RFM frequency and monetary ≥ 4).', $cel$facts.valueTier == 'HIGH_VALUE'$cel$, true, 'system'),
        ('big_spender', 1, 'Big spender', 'VALUE', '10,000 or more spent in the last 365 days.', $cel$facts.orders.spend365d >= 10000.0$cel$, true, 'system'),
        ('rfm_champion', 1, 'RFM champion', 'VALUE', 'RFM segment CHAMPIONS.', $cel$facts.rfm.segment == 'CHAMPIONS'$cel$, true, 'system'),
        ('rfm_loyal', 1, 'Loyal', 'VALUE', 'RFM segment LOYAL.', $cel$facts.rfm.segment == 'LOYAL'$cel$, true, 'system'),
        ('new_customer', 1, 'New customer', 'LIFECYCLE', 'Lifecycle stage NEW.', $cel$facts.lifecycle.stage == 'NEW'$cel$, true, 'system'),
        ('reactivated', 1, 'Reactivated', 'LIFECYCLE', 'Lifecycle stage REACTIVATED.', $cel$facts.lifecycle.stage == 'REACTIVATED'$cel$, true, 'system'),
        ('at_risk', 1, 'At risk', 'LIFECYCLE', 'Lifecycle stage AT_RISK.', $cel$facts.lifecycle.stage == 'AT_RISK'$cel$, true, 'system'),
        ('dormant', 1, 'Dormant', 'LIFECYCLE', 'Lifecycle stage DORMANT.', $cel$facts.lifecycle.stage == 'DORMANT'$cel$, true, 'system'),
        ('churned', 1, 'Churned', 'LIFECYCLE', 'Lifecycle stage CHURNED.', $cel$facts.lifecycle.stage == 'CHURNED'$cel$, true, 'system'),
        ('churn_risk_high', 1, 'High churn risk', 'RISK', 'Churn risk level HIGH.', $cel$facts.churn.level == 'HIGH'$cel$, true, 'system'),
        ('service_issue', 1, 'Service issue', 'RISK', 'An unresolved ticket, or a ticket rated 2 or lower in the last 365 days.', $cel$facts.tickets.unresolved > 0 || facts.tickets.badRatings > 0$cel$, true, 'system'),
        ('negative_voice', 1, 'Negative voice', 'RISK', 'Mean sentiment of brand mentions below -0.2 in the last 90 days.', $cel$facts.social.sentiment90d != null && facts.social.sentiment90d < -0.2$cel$, true, 'system'),
        ('prefers_app', 1, 'Prefers the app', 'PREFERENCE', '60 % or more of the last 90 days'' events in the app.', $cel$facts.behaviour.topChannel == 'app' && facts.behaviour.topChannelShare >= 0.6$cel$, true, 'system'),
        ('prefers_mini_program', 1, 'Prefers the mini-program', 'PREFERENCE', '60 % or more of the last 90 days'' events in the mini-program.', $cel$facts.behaviour.topChannel == 'mini_program' && facts.behaviour.topChannelShare >= 0.6$cel$, true, 'system'),
        ('prefers_web', 1, 'Prefers the web', 'PREFERENCE', '60 % or more of the last 90 days'' events on the web.', $cel$facts.behaviour.topChannel == 'web' && facts.behaviour.topChannelShare >= 0.6$cel$, true, 'system'),
        ('mobile_first', 1, 'Mobile first', 'PREFERENCE', '70 % or more of the last 90 days'' events on a phone.', $cel$facts.behaviour.mobileShare >= 0.7$cel$, true, 'system'),
        ('price_sensitive', 1, 'Price sensitive', 'PREFERENCE', 'Half or more of the items bought in the last 365 days were discounted.', $cel$facts.orders.discountedItemShare != null && facts.orders.discountedItemShare >= 0.5$cel$, true, 'system');`,
  },
  {
    version: 4,
    name: 'audit log and api keys',
    // The audit log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, whoever asks.
    // API keys are stored as SHA-256 hashes of high-entropy secrets; `id` is the key's public prefix.
    sql: `
      CREATE TABLE c360.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        request_id text NOT NULL,
        subject text NOT NULL,
        roles text[] NOT NULL,
        auth text NOT NULL CHECK (auth IN ('jwt', 'api_key')),
        partner text,
        customer_id text NOT NULL,
        fields text[] NOT NULL,
        masked boolean NOT NULL,
        operation text
      );
      CREATE INDEX audit_log_customer ON c360.audit_log (customer_id, id DESC);
      CREATE FUNCTION c360.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END
      $fn$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON c360.audit_log
        FOR EACH ROW EXECUTE FUNCTION c360.refuse_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON c360.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION c360.refuse_change();

      CREATE TABLE c360.api_keys (
        id text PRIMARY KEY CHECK (id ~ '^k_[0-9a-f]{12}$'),
        hash bytea NOT NULL UNIQUE,
        partner text NOT NULL CHECK (length(partner) BETWEEN 1 AND 100),
        scopes text[] NOT NULL,
        rate_per_minute int NOT NULL CHECK (rate_per_minute > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        revoked_at timestamptz,
        revoked_by text
      );`,
  },
  {
    version: 5,
    name: 'erasures',
    // One row per erasure request; re-running an incomplete one updates it until nothing remains.
    sql: `
      CREATE TABLE c360.erasures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id text NOT NULL,
        requested_by text NOT NULL,
        reason text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        status text NOT NULL CHECK (status IN ('incomplete', 'complete')),
        remaining text[] NOT NULL,
        last_error text
      );
      CREATE INDEX erasures_customer ON c360.erasures (customer_id, id DESC);`,
  },
  {
    version: 6,
    name: 'erasure possible duplicates',
    // Other customers sharing the erased person's e-mail, phone or an identity, found before the erasure.
    sql: `ALTER TABLE c360.erasures ADD COLUMN possible_duplicates text[] NOT NULL DEFAULT '{}';`,
  },
  {
    version: 7,
    name: 'identifier lookup index',
    // Normalised e-mails and phones of the customers and their identities (the same expressions as
    // sources/crm/identifiers.ts emailSql/phoneSql), so lookups by them need not normalise every row.
    // Rebuilt with the search index; lookups check every hit against the live rows.
    sql: `
      CREATE MATERIALIZED VIEW c360.identifier_lookup AS
        SELECT 'email'::text AS kind, lower(btrim(c.email, E' \\t\\n\\r' || chr(160) || chr(12288))) AS key, c.id AS customer_id
          FROM customers c WHERE c.email IS NOT NULL
        UNION SELECT 'email', lower(btrim(i.value, E' \\t\\n\\r' || chr(160) || chr(12288))), i.customer_id
          FROM customer_identities i WHERE i.kind = 'email'
        UNION SELECT 'phone', regexp_replace(replace(c.phone, '(0)', ''), '[^0-9+]', '', 'g'), c.id
          FROM customers c WHERE c.phone IS NOT NULL
        UNION SELECT 'phone', regexp_replace(replace(i.value, '(0)', ''), '[^0-9+]', '', 'g'), i.customer_id
          FROM customer_identities i WHERE i.kind = 'phone';
      CREATE UNIQUE INDEX identifier_lookup_key ON c360.identifier_lookup (kind, key, customer_id);`,
  },
  {
    version: 8,
    name: 'identity graph: links, merges, history',
    // Links from a normalised identifier to a customer record, beside the CRM's customer_identities
    // (never rewritten). kind 'customer_id' links a merged record to its survivor: the merge state
    // is these links, flattened (every merged record points at the survivor directly). A link a later
    // merge replaced is kept with superseded_by; undoing that merge restores it as it was.
    // Row locks on the CRM customers serialise merges touching the same records; the history is
    // append-only like the audit log.
    sql: `
      CREATE TABLE c360.merges (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survivor_id text NOT NULL,
        merged_ids text[] NOT NULL CHECK (cardinality(merged_ids) > 0),
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        undone_by text,
        undone_at timestamptz,
        undo_reason text
      );
      CREATE TABLE c360.identity_links (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('email', 'phone', 'device_id', 'anonymous_id', 'social', 'external_id', 'customer_id')),
        value text NOT NULL,
        customer_id text NOT NULL,
        source text NOT NULL CHECK (source IN ('api', 'merge')),
        confidence real NOT NULL CHECK (confidence > 0 AND confidence <= 1),
        evidence text,
        merge_id bigint REFERENCES c360.merges (id),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_by text,
        removed_at timestamptz,
        superseded_by bigint REFERENCES c360.merges (id),
        CHECK ((source = 'merge') = (merge_id IS NOT NULL)),
        CHECK ((kind = 'customer_id') = (source = 'merge'))
      );
      CREATE UNIQUE INDEX identity_links_active ON c360.identity_links (kind, value) WHERE removed_at IS NULL;
      CREATE INDEX identity_links_customer ON c360.identity_links (customer_id, kind) WHERE removed_at IS NULL;
      CREATE INDEX identity_links_merge ON c360.identity_links (merge_id);
      CREATE INDEX identity_links_superseded ON c360.identity_links (superseded_by) WHERE superseded_by IS NOT NULL;

      -- The survivor a record was merged into, or the record itself.
      CREATE FUNCTION c360.canonical_id(record text) RETURNS text STABLE LANGUAGE sql AS $fn$
        SELECT coalesce((SELECT l.customer_id FROM c360.identity_links l
                          WHERE l.kind = 'customer_id' AND l.value = record AND l.removed_at IS NULL), record)
      $fn$;
      -- Every record of the person a record belongs to: its survivor first, then the records merged into it.
      CREATE FUNCTION c360.members_of(record text) RETURNS TABLE (member text) STABLE LANGUAGE sql AS $fn$
        SELECT c360.canonical_id(record)
        UNION ALL
        SELECT l.value FROM c360.identity_links l
         WHERE l.kind = 'customer_id' AND l.customer_id = c360.canonical_id(record) AND l.removed_at IS NULL
      $fn$;

      CREATE TABLE c360.identity_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL CHECK (action IN ('link', 'unlink', 'merge', 'unmerge')),
        customer_ids text[] NOT NULL,
        reason text,
        merge_id bigint,
        link_id bigint,
        before jsonb NOT NULL,
        after jsonb NOT NULL
      );
      CREATE INDEX identity_history_customers ON c360.identity_history USING gin (customer_ids);
      CREATE TRIGGER identity_history_append_only BEFORE UPDATE OR DELETE ON c360.identity_history
        FOR EACH ROW EXECUTE FUNCTION c360.refuse_change();
      CREATE TRIGGER identity_history_no_truncate BEFORE TRUNCATE ON c360.identity_history
        FOR EACH STATEMENT EXECUTE FUNCTION c360.refuse_change();`,
  },
  {
    version: 9,
    name: 'profile snapshots and segments',
    // One row per customer (survivor) and snapshot version, built by the snapshot job from the same
    // facts and rules as the API. A version is visible once c360.snapshots says 'complete' (one row
    // updated: the switch is atomic); 'building' versions carry the cursor a resumed build continues
    // from. Citus: profile_snapshot is distributed by customer_id (every key includes it), snapshots
    // and segments are reference tables.
    sql: `
      CREATE TABLE c360.snapshots (
        version int PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('full', 'incremental')),
        base_version int,
        as_of timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('building', 'complete')),
        cursor text,
        customers int NOT NULL DEFAULT 0,
        total int NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
      CREATE TABLE c360.profile_snapshot (
        version int NOT NULL,
        customer_id text NOT NULL,
        as_of timestamptz NOT NULL,
        lifecycle_stage text,
        value_tier text,
        rfm_recency smallint,
        rfm_frequency smallint,
        rfm_monetary smallint,
        rfm_segment text,
        spend_365d numeric(14, 2) NOT NULL DEFAULT 0,
        churn_level text,
        churn_score real,
        interests text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        last_activity_at timestamptz,
        last_order_at timestamptz,
        city text,
        preferred_channel text,
        consents text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (version, customer_id)
      );
      CREATE INDEX profile_snapshot_stage ON c360.profile_snapshot (version, lifecycle_stage);
      CREATE INDEX profile_snapshot_tier ON c360.profile_snapshot (version, value_tier);
      CREATE INDEX profile_snapshot_city ON c360.profile_snapshot (version, city);
      CREATE INDEX profile_snapshot_tags ON c360.profile_snapshot USING gin (tags);

      CREATE TABLE c360.segments (
        id text NOT NULL CHECK (id ~ '^seg_[0-9a-f]{12}$'),
        version int NOT NULL CHECK (version > 0),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text,
        filter jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, version)
      );`,
  },
  {
    version: 10,
    name: 'identity history redaction on erasure',
    // The identity history stays append-only, except for one narrow path: an erasure, which sets
    // c360.redacting for its transaction, may blank the identifier values, evidence and reasons of
    // the rows about the erased person; who, when, what and which records stay as they were.
    sql: `
      CREATE FUNCTION c360.identity_history_redaction_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF TG_OP = 'UPDATE' AND current_setting('c360.redacting', true) = 'on'
             AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.customer_ids, NEW.merge_id, NEW.link_id)
                 IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.customer_ids, OLD.merge_id, OLD.link_id) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END
      $fn$;
      DROP TRIGGER identity_history_append_only ON c360.identity_history;
      CREATE TRIGGER identity_history_append_only BEFORE UPDATE OR DELETE ON c360.identity_history
        FOR EACH ROW EXECUTE FUNCTION c360.identity_history_redaction_only();`,
  },
  {
    version: 11,
    name: 'snapshot fingerprints',
    // What a version was computed with (the rules and the enabled tag definitions) and when the full
    // build it descends from ran: an incremental build over a base computed differently, or descended
    // from a full build older than a day, becomes a full one.
    sql: `
      ALTER TABLE c360.snapshots ADD COLUMN fingerprint text NOT NULL DEFAULT '';
      ALTER TABLE c360.snapshots ADD COLUMN full_as_of timestamptz;`,
  },
  {
    version: 12,
    name: 'snapshot counts',
    // The unfiltered population counts of a version (by stage, tier, tag, city, channel, churn level,
    // RFM cell; stage transitions from the version before), written when it is completed, so the
    // everyone-dashboard reads a few rows instead of scanning the version per field.
    sql: `
      CREATE TABLE c360.snapshot_counts (
        version int NOT NULL,
        dimension text NOT NULL,
        key text,
        count int NOT NULL,
        monetary numeric(16, 2) NOT NULL
      );
      CREATE INDEX snapshot_counts_version ON c360.snapshot_counts (version, dimension);`,
  },
  {
    version: 13,
    name: 'erasure kept shared events',
    // Events under the erased person's anonymous or device ids that name another customer: that
    // customer's, so kept, and counted by the erasure's behaviour step (null until it has run).
    sql: `ALTER TABLE c360.erasures ADD COLUMN kept_shared_events int;`,
  },
  {
    version: 14,
    name: 'unique segment names',
    // A segment's current name, lower-cased: unique, so two segments never answer to one name
    // (sources/crm/segments.ts saveSegment). Segments saved before with a clashing name: the oldest
    // keeps it; the others get their row when they are next saved, under a name nobody else holds.
    sql: `
      CREATE TABLE c360.segment_names (
        segment_id text PRIMARY KEY,
        name_key text NOT NULL CONSTRAINT segment_names_unique UNIQUE
      );
      INSERT INTO c360.segment_names (segment_id, name_key)
      SELECT DISTINCT ON (lower(l.name)) l.id, lower(l.name)
        FROM (SELECT DISTINCT ON (id) id, name FROM c360.segments ORDER BY id, version DESC) l
        JOIN c360.segments first ON first.id = l.id AND first.version = 1
       ORDER BY lower(l.name), first.created_at, l.id;`,
  },
  {
    version: 15,
    name: 'recommendation precompute',
    // Built by the recommendation job (src/snapshot/recommendations.ts), resumable: a 'building' build
    // carries the step and cursor it continues from; the API reads the latest 'complete' build as of
    // a request's asOf. reco_buyers is the build's working set (distinct customer × product of the
    // completed orders in its window), emptied when the build completes. Pair scores are the cosine
    // over distinct buyers: |A ∩ B| / sqrt(|A| |B|); popularity scores are a segment's buyers of the
    // product over its most bought product's. Citus: all reference-sized except reco_buyers, which is
    // distributed by customer_id.
    sql: `
      CREATE TABLE c360.reco_builds (
        id int PRIMARY KEY,
        as_of timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('building', 'complete')),
        step text NOT NULL,
        cursor text,
        fingerprint text NOT NULL,
        products int NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
      CREATE TABLE c360.reco_buyers (
        build int NOT NULL,
        product_id text NOT NULL,
        customer_id text NOT NULL,
        PRIMARY KEY (build, product_id, customer_id)
      );
      CREATE INDEX reco_buyers_customer ON c360.reco_buyers (build, customer_id);
      CREATE TABLE c360.reco_pairs (
        build int NOT NULL,
        product_id text NOT NULL,
        other_id text NOT NULL,
        customers int NOT NULL,
        score real NOT NULL,
        PRIMARY KEY (build, product_id, other_id)
      );
      CREATE TABLE c360.reco_popularity (
        build int NOT NULL,
        pattern text NOT NULL,
        segment text NOT NULL,
        product_id text NOT NULL,
        customers int NOT NULL,
        score real NOT NULL,
        segment_customers int NOT NULL,
        PRIMARY KEY (build, segment, product_id)
      );`,
  },
  {
    version: 16,
    name: 'recommendation experiments',
    // A/B tests of the recommendation strategies (docs/concepts.md "Experiments"). An experiment's
    // variants ([{name, strategy, share}], shares summing to 1) never change; it is created running
    // and may be stopped once. At most one running experiment per placement (the partial unique
    // index). An exposure is one answer of Customer.recommendations under a running experiment: the
    // customer, its variant and the products shown, at the request's instant. created_by and
    // stopped_by are the audit trail of the admin writes.
    sql: `
      CREATE TABLE c360.experiments (
        id text PRIMARY KEY,
        name text NOT NULL,
        placement text NOT NULL CHECK (placement IN ('AGENT', 'CAMPAIGN', 'PARTNER')),
        variants jsonb NOT NULL CHECK (jsonb_typeof(variants) = 'array' AND jsonb_array_length(variants) BETWEEN 2 AND 5),
        window_days int NOT NULL DEFAULT 14 CHECK (window_days BETWEEN 1 AND 90),
        status text NOT NULL CHECK (status IN ('running', 'stopped')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        stopped_by text,
        stopped_at timestamptz,
        CHECK ((status = 'stopped') = (stopped_at IS NOT NULL))
      );
      CREATE UNIQUE INDEX experiments_one_running ON c360.experiments (placement) WHERE status = 'running';
      CREATE TABLE c360.experiment_exposures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        experiment_id text NOT NULL REFERENCES c360.experiments (id),
        customer_id text NOT NULL,
        variant text NOT NULL,
        product_ids text[] NOT NULL,
        exposed_at timestamptz NOT NULL
      );
      CREATE INDEX experiment_exposures_customer ON c360.experiment_exposures (experiment_id, customer_id, exposed_at);`,
  },
];
