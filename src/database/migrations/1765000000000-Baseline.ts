import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of livecart 0.1.x in one migration: what its twelve migrations
 * (Initial1763800000000 … ReportBuyerSets1763801100000) built, one after the
 * other, squashed into the statements that build it directly. Frozen text: a
 * migration is history and never changes. The current text of each function
 * lives in src/database/functions/ (see its index.ts for the rule).
 *
 * - Empty database: creates everything.
 * - Database made by livecart 0.1.x, all twelve migrations recorded: its
 *   schema is already this one, so nothing is done (TypeORM records this
 *   migration and the data stays where it is).
 * - Only some of the twelve recorded: refused with an error; such a database
 *   has to be brought up to date by livecart 0.1.x first.
 *
 * test/database/baseline-upgrade.e2e-spec.ts checks both paths.
 */
export const CHAIN_0_1 = [
  'Initial1763800000000',
  'Commerce1763800100000',
  'LiveRoom1763800200000',
  'Reports1763800300000',
  'ReserveUsageLookup1763800400000',
  'ReportsBuyerDelta1763800500000',
  'OrdersHotPathForeignKeys1763800600000',
  'IndexProbes1763800700000',
  'HotFunctionsNoSeqScan1763800800000',
  'OptimisticReservation1763800900000',
  'JournalIndexProbe1763801000000',
  'ReportBuyerSets1763801100000',
];

const SCHEMA: string[] = [
  // Accounts, catalog, streams.
  `CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (email = lower(email)),
    display_name text NOT NULL,
    password_hash text NOT NULL,
    roles text[] NOT NULL DEFAULT '{viewer}'
      CHECK (roles <@ ARRAY['viewer','streamer','merchant','admin']::text[] AND cardinality(roles) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE UNIQUE INDEX users_email_key ON users (email)`,

  `CREATE TABLE products (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    merchant_id uuid NOT NULL REFERENCES users(id),
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    image_url text,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    stock integer NOT NULL CHECK (stock >= 0),
    sku text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX products_merchant_idx ON products (merchant_id, created_at DESC)`,
  `CREATE UNIQUE INDEX products_merchant_sku_key ON products (merchant_id, sku) WHERE sku IS NOT NULL`,

  `CREATE TABLE streams (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users(id),
    merchant_id uuid REFERENCES users(id),
    title text NOT NULL,
    status text NOT NULL DEFAULT 'created' CHECK (status IN ('created','live','ended')),
    stream_key_hash text NOT NULL,
    started_at timestamptz,
    ended_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX streams_status_idx ON streams (status, created_at DESC)`,
  `CREATE INDEX streams_owner_idx ON streams (owner_id, created_at DESC)`,
  `CREATE UNIQUE INDEX streams_key_hash_key ON streams (stream_key_hash)`,

  // Commerce: merchant ↔ streamer links, pins (a stream's chapters and flash
  // sales), orders and their items, payments and webhook events. Stock never
  // goes below zero: the reservation decides under row locks and never relies
  // on the CHECKs, but they make an oversell a failed transaction rather than
  // a silent one.
  `CREATE TABLE merchant_streamers (
    merchant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    streamer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, streamer_id)
  )`,
  `CREATE INDEX merchant_streamers_streamer_idx ON merchant_streamers (streamer_id)`,

  `CREATE TABLE pins (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    stream_id uuid NOT NULL REFERENCES streams(id),
    product_id uuid NOT NULL REFERENCES products(id),
    pinned_by uuid NOT NULL REFERENCES users(id),
    pinned_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    unpinned_at timestamptz,
    sale_price_cents integer CHECK (sale_price_cents >= 0),
    sale_stock integer CHECK (sale_stock > 0),
    sale_remaining integer CHECK (sale_remaining >= 0 AND sale_remaining <= sale_stock),
    ends_at timestamptz,
    per_buyer_limit integer CHECK (per_buyer_limit > 0),
    CHECK ((sale_stock IS NULL) = (sale_remaining IS NULL)),
    CHECK (sale_stock IS NULL OR sale_price_cents IS NOT NULL),
    CHECK (unpinned_at IS NULL OR unpinned_at >= pinned_at)
  )`,
  // One pinned product per stream, enforced by the database.
  `CREATE UNIQUE INDEX pins_one_current_key ON pins (stream_id) WHERE unpinned_at IS NULL`,
  `CREATE INDEX pins_stream_idx ON pins (stream_id, pinned_at)`,
  `CREATE INDEX pins_product_current_idx ON pins (product_id) WHERE unpinned_at IS NULL`,

  // No foreign keys on the columns the reservation inserts (buyer, merchant,
  // stream, pin): each check would lock or probe a row that every order in
  // flight shares, on the hottest insert of the app. The values come from
  // rows the reservation holds locked or reads in the same statement, or from
  // a verified token, and users, streams and pins are never deleted.
  `CREATE TABLE orders (
    id uuid PRIMARY KEY,
    buyer_id uuid NOT NULL,
    merchant_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN
      ('pending_payment','paid','fulfilled','expired','cancelled','refunded')),
    currency char(3) NOT NULL,
    total_cents bigint NOT NULL CHECK (total_cents >= 0),
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    stream_id uuid,
    pin_id uuid,
    stream_offset_ms bigint,
    pin_units integer NOT NULL DEFAULT 0 CHECK (pin_units >= 0),
    sale_units integer NOT NULL DEFAULT 0 CHECK (sale_units >= 0 AND sale_units <= pin_units),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    paid_at timestamptz,
    fulfilled_at timestamptz,
    closed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE UNIQUE INDEX orders_buyer_idempotency_key ON orders (buyer_id, idempotency_key)`,
  `CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC)`,
  `CREATE INDEX orders_merchant_idx ON orders (merchant_id, created_at DESC)`,
  `CREATE INDEX orders_stream_idx ON orders (stream_id, created_at) WHERE stream_id IS NOT NULL`,
  `CREATE INDEX orders_pin_buyer_idx ON orders (pin_id, buyer_id) WHERE pin_id IS NOT NULL`,
  `CREATE INDEX orders_pending_expiry_idx ON orders (expires_at) WHERE status = 'pending_payment'`,

  // No foreign keys either: the only writer is the reservation, which inserts
  // items only for the orders it inserted and only for products it holds
  // locked (an unknown product is refused before any insert); orders and
  // products are never deleted.
  `CREATE TABLE order_items (
    order_id uuid NOT NULL,
    product_id uuid NOT NULL,
    title text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
    sale boolean NOT NULL DEFAULT false,
    PRIMARY KEY (order_id, product_id)
  )`,
  `CREATE INDEX order_items_product_idx ON order_items (product_id)`,

  `CREATE TABLE payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id uuid NOT NULL REFERENCES orders(id),
    provider text NOT NULL,
    session_id text NOT NULL,
    checkout_url text NOT NULL,
    status text NOT NULL CHECK (status IN ('open','succeeded','failed','refunded','refund_due')),
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE UNIQUE INDEX payments_provider_session_key ON payments (provider, session_id)`,
  `CREATE INDEX payments_order_idx ON payments (order_id, created_at DESC)`,

  // Webhook events already applied: a replayed event id changes nothing.
  `CREATE TABLE payment_events (
    provider text NOT NULL,
    event_id text NOT NULL,
    type text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
  )`,

  // Live room: chat, chat moderation, per-stream audience numbers.
  `CREATE TABLE chat_messages (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    stream_id uuid NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    user_name text NOT NULL,
    text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
    hidden boolean NOT NULL DEFAULT false,
    deleted_at timestamptz,
    deleted_by uuid REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  // History and room state read the visible lines of one stream, newest first.
  `CREATE INDEX chat_messages_stream_seq_idx ON chat_messages (stream_id, seq DESC)
     WHERE deleted_at IS NULL AND NOT hidden`,
  `CREATE UNIQUE INDEX chat_messages_seq_key ON chat_messages (seq)`,

  `CREATE TABLE chat_sanctions (
    stream_id uuid NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    kind text NOT NULL CHECK (kind IN ('mute','ban')),
    until timestamptz,
    created_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, user_id, kind),
    CHECK ((kind = 'ban') = (until IS NULL))
  )`,

  `CREATE TABLE chat_settings (
    stream_id uuid PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
    slow_mode_seconds integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 3600),
    blocked_words text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE stream_stats (
    stream_id uuid PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
    peak_viewers integer NOT NULL DEFAULT 0 CHECK (peak_viewers >= 0),
    unique_viewers integer NOT NULL DEFAULT 0 CHECK (unique_viewers >= 0),
    likes bigint NOT NULL DEFAULT 0 CHECK (likes >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  // Sales reports: the merchant's time zone, the journal of order changes
  // (appended by triggers, drained by reports_fold), the rollups the reports
  // read, and the distinct-buyer reference counts by buyer set.
  `CREATE TABLE merchant_settings (
    merchant_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    time_zone text NOT NULL DEFAULT 'UTC',
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE report_journal (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id uuid NOT NULL,
    merchant_id uuid NOT NULL,
    status text NOT NULL,
    sign smallint NOT NULL CHECK (sign IN (-1, 1)),
    op text NOT NULL CHECK (op IN ('created', 'moved'))
  )`,

  `CREATE TABLE report_rollups (
    merchant_id uuid NOT NULL,
    grain smallint NOT NULL,
    stream_key uuid NOT NULL,
    product_key uuid NOT NULL,
    currency char(3) NOT NULL,
    bucket timestamptz NOT NULL,
    gmv_cents bigint NOT NULL DEFAULT 0,
    paid_cents bigint NOT NULL DEFAULT 0,
    refunded_cents bigint NOT NULL DEFAULT 0,
    orders integer NOT NULL DEFAULT 0,
    units bigint NOT NULL DEFAULT 0,
    buyers integer NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_id, grain, stream_key, product_key, currency, bucket)
  )`,

  // Merchant webhooks and their deliveries.
  `CREATE TABLE webhooks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    merchant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    url text NOT NULL,
    events text[] NOT NULL,
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX webhooks_merchant_idx ON webhooks (merchant_id)`,
  `CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event text NOT NULL,
    event_id text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    UNIQUE (webhook_id, event_id)
  )`,
  `CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC)`,
  `CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (updated_at) WHERE status = 'pending'`,

  `CREATE TABLE report_buyer_sets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id uuid NOT NULL,
    grain smallint NOT NULL,
    stream_key uuid NOT NULL,
    product_key uuid NOT NULL,
    currency char(3) NOT NULL,
    bucket timestamptz NOT NULL,
    UNIQUE (merchant_id, grain, stream_key, product_key, currency, bucket)
  )`,
  `CREATE TABLE report_set_buyers (
    set_id bigint NOT NULL,
    buyer_id uuid NOT NULL,
    n integer NOT NULL,
    last_dn integer NOT NULL DEFAULT 0,
    PRIMARY KEY (set_id, buyer_id)
  )`,

  // Functions, as src/database/functions/ had them when this migration was written.
  `
CREATE FUNCTION lc_reserve_orders(
  p_ids uuid[], p_buyers uuid[], p_keys text[], p_hashes text[], p_streams uuid[],
  p_item_req int[], p_item_product uuid[], p_item_qty int[], p_hold_seconds int
) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  v_n int := coalesce(array_length(p_ids, 1), 0);
  v_lines_n int := coalesce(array_length(p_item_req, 1), 0);
  v_now_ms float8 := extract(epoch FROM now()) * 1000;
  v_stream_ids uuid[];
  v_product_ids uuid[];
  v_pins jsonb;
  v_prods jsonb;
  v_streams jsonb;
  v_stored jsonb;
  v_usage jsonb;
  v_results jsonb[] := '{}';
  v_run_start int := 0;
  v_run_add jsonb := '{}';
  o_id uuid[] := '{}'; o_b uuid[] := '{}'; o_m uuid[] := '{}'; o_c text[] := '{}'; o_t bigint[] := '{}';
  o_k text[] := '{}'; o_h text[] := '{}'; o_s uuid[] := '{}'; o_p uuid[] := '{}'; o_off bigint[] := '{}';
  o_pu int[] := '{}'; o_su int[] := '{}'; o_sd int[] := '{}';
  i_o uuid[] := '{}'; i_p uuid[] := '{}'; i_t text[] := '{}'; i_q int[] := '{}'; i_u int[] := '{}';
  i_s boolean[] := '{}';
  r int; jj int; j int := 1; j0 int; j1 int;
  v_key text; v_st jsonb; v_pin jsonb; v_pr jsonb; v_first jsonb; v_refusal jsonb;
  v_pin_j int; v_on_sale boolean; v_sale boolean; v_total bigint; v_q int; v_unit int;
  v_used int; v_pin_units int; v_sale_units int; v_units int[]; v_sales boolean[]; v_titles text[];
  v_ukey text;
  v_inserted uuid[]; v_created timestamptz; v_expires timestamptz; v_want int; v_took int;
BEGIN
  SELECT array_agg(DISTINCT x ORDER BY x) INTO v_stream_ids FROM unnest(p_streams) AS x WHERE x IS NOT NULL;
  SELECT array_agg(DISTINCT x ORDER BY x) INTO v_product_ids FROM unnest(p_item_product) AS x;

  -- Row locks, in the order every commerce transaction uses: pins, then products, each by id.
  SELECT coalesce(jsonb_object_agg(l.stream_id, to_jsonb(l)), '{}') INTO v_pins FROM (
    SELECT id, stream_id, product_id, sale_price_cents, sale_remaining, per_buyer_limit,
      extract(epoch FROM ends_at) * 1000 AS ends_ms
    FROM pins WHERE stream_id = ANY(v_stream_ids) AND unpinned_at IS NULL
    ORDER BY id FOR NO KEY UPDATE) AS l;
  SELECT coalesce(jsonb_object_agg(l.id, to_jsonb(l)), '{}') INTO v_prods FROM (
    SELECT id, merchant_id, title, price_cents, currency, stock
    FROM products WHERE id = ANY(v_product_ids) ORDER BY id FOR NO KEY UPDATE) AS l;
  SELECT coalesce(jsonb_object_agg(s.id, jsonb_build_object('merchant_id', s.merchant_id, 'status', s.status,
      'started_ms', extract(epoch FROM s.started_at) * 1000)), '{}')
    INTO v_streams FROM streams s WHERE s.id = ANY(v_stream_ids);
  SELECT coalesce(jsonb_object_agg(kk.b || '|' || kk.k,
      jsonb_build_object('id', s.id, 'h', s.request_hash)), '{}')
    INTO v_stored FROM unnest(p_buyers, p_keys) AS kk(b, k)
    CROSS JOIN LATERAL (SELECT o.id, o.request_hash FROM orders o
      WHERE o.buyer_id = kk.b AND o.idempotency_key = kk.k LIMIT 1) AS s;
  -- A statement of its own, after the locks: its snapshot holds every order
  -- committed by the previous holder of a pin lock.
  SELECT coalesce(jsonb_object_agg(q.pin_id || '|' || q.buyer_id, s.units), '{}') INTO v_usage
  FROM (
    SELECT DISTINCT (v_pins -> (x.s::text) ->> 'id')::uuid AS pin_id, x.b AS buyer_id
    FROM unnest(p_buyers, p_streams) AS x(b, s)
    WHERE x.s IS NOT NULL AND v_pins -> (x.s::text) ->> 'per_buyer_limit' IS NOT NULL) AS q
  CROSS JOIN LATERAL (
    SELECT sum(o.pin_units)::int AS units FROM orders o
    WHERE o.pin_id = q.pin_id AND o.buyer_id = q.buyer_id
      AND o.status IN ('pending_payment', 'paid', 'fulfilled')) AS s
  WHERE s.units IS NOT NULL;

  FOR r IN 1..v_n LOOP
    j0 := j;
    WHILE j <= v_lines_n AND p_item_req[j] = r LOOP j := j + 1; END LOOP;
    j1 := j - 1;
    IF r = 1 OR p_buyers[r] <> p_buyers[r - 1] THEN
      v_run_add := '{}';  -- units this buyer took earlier in this batch, by pin
    END IF;
    v_key := p_buyers[r] || '|' || p_keys[r];
    IF v_stored ? v_key THEN
      v_results := array_append(v_results, jsonb_build_object('k', 'replay',
        'id', v_stored->v_key->'id', 'h', v_stored->v_key->'h'));
      CONTINUE;
    END IF;
    IF r > 1 AND p_buyers[r] = p_buyers[r - 1] AND p_keys[r] = p_keys[r - 1] THEN
      v_results := array_append(v_results, jsonb_build_object('k', 'twin', 'of', v_run_start - 1));
      CONTINUE;
    END IF;
    v_run_start := r;

    v_refusal := NULL; v_st := NULL; v_pin := NULL; v_pin_j := NULL; v_on_sale := false;
    IF p_streams[r] IS NOT NULL THEN
      v_st := v_streams -> (p_streams[r]::text);
      IF v_st IS NULL THEN
        v_refusal := jsonb_build_object('code', 'unknown_stream');
      ELSIF v_st->>'merchant_id' IS NULL THEN
        v_refusal := jsonb_build_object('code', 'stream_has_no_shop');
      END IF;
    END IF;
    IF v_refusal IS NULL THEN
      FOR jj IN j0..j1 LOOP
        IF NOT v_prods ? (p_item_product[jj]::text) THEN
          v_refusal := jsonb_build_object('code', 'unknown_product', 'product', p_item_product[jj]);
          EXIT;
        END IF;
      END LOOP;
    END IF;
    IF v_refusal IS NULL THEN
      v_first := v_prods -> (p_item_product[j0]::text);
      FOR jj IN j0..j1 LOOP
        v_pr := v_prods -> (p_item_product[jj]::text);
        IF v_pr->>'currency' <> v_first->>'currency' THEN
          v_refusal := jsonb_build_object('code', 'mixed_currencies', 'a', v_first, 'b', v_pr); EXIT;
        END IF;
        IF v_pr->>'merchant_id' <> v_first->>'merchant_id' THEN
          v_refusal := jsonb_build_object('code', 'mixed_shops', 'a', v_first, 'b', v_pr); EXIT;
        END IF;
        IF v_st IS NOT NULL AND v_pr->>'merchant_id' <> v_st->>'merchant_id' THEN
          v_refusal := jsonb_build_object('code', 'product_not_in_stream', 'p', v_pr); EXIT;
        END IF;
      END LOOP;
    END IF;
    IF v_refusal IS NULL THEN
      IF v_st IS NOT NULL THEN v_pin := v_pins -> (p_streams[r]::text); END IF;
      IF v_pin IS NOT NULL THEN
        FOR jj IN j0..j1 LOOP
          IF p_item_product[jj]::text = v_pin->>'product_id' THEN v_pin_j := jj; END IF;
        END LOOP;
      END IF;
      -- A flash sale applies inside its window, while pinned, on a stream that has not ended.
      v_on_sale := v_pin_j IS NOT NULL AND v_pin->>'sale_price_cents' IS NOT NULL
        AND v_st->>'status' <> 'ended'
        AND (v_pin->>'ends_ms' IS NULL OR v_now_ms < (v_pin->>'ends_ms')::float8);
      v_total := 0; v_units := '{}'; v_sales := '{}'; v_titles := '{}';
      FOR jj IN j0..j1 LOOP
        v_pr := v_prods -> (p_item_product[jj]::text);
        v_q := p_item_qty[jj];
        v_sale := v_on_sale AND jj = v_pin_j;
        IF v_sale AND v_pin->>'sale_remaining' IS NOT NULL AND (v_pin->>'sale_remaining')::int < v_q THEN
          v_refusal := jsonb_build_object('code', 'sold_out', 'p', v_pr,
            'remaining', (v_pin->>'sale_remaining')::int);
          EXIT;
        END IF;
        IF (v_pr->>'stock')::int < v_q THEN
          v_refusal := jsonb_build_object('code', 'out_of_stock', 'p', v_pr, 'remaining', (v_pr->>'stock')::int);
          EXIT;
        END IF;
        v_unit := CASE WHEN v_sale THEN (v_pin->>'sale_price_cents')::int ELSE (v_pr->>'price_cents')::int END;
        v_total := v_total + v_unit::bigint * v_q;
        v_units := v_units || v_unit;
        v_sales := v_sales || v_sale;
        v_titles := v_titles || (v_pr->>'title');
      END LOOP;
    END IF;
    v_pin_units := CASE WHEN v_pin_j IS NULL THEN 0 ELSE p_item_qty[v_pin_j] END;
    -- A sale's limit lasts as long as the sale; a plain pin's limit as long as the pin.
    IF v_refusal IS NULL AND v_pin_j IS NOT NULL AND v_pin->>'per_buyer_limit' IS NOT NULL
       AND (v_pin->>'sale_price_cents' IS NULL OR v_on_sale) THEN
      v_used := coalesce((v_usage->>((v_pin->>'id') || '|' || p_buyers[r]))::int, 0)
        + coalesce((v_run_add->>(v_pin->>'id'))::int, 0);
      IF v_used + v_pin_units > (v_pin->>'per_buyer_limit')::int THEN
        v_refusal := jsonb_build_object('code', 'buyer_limit', 'p', v_prods -> (p_item_product[v_pin_j]::text),
          'limit', (v_pin->>'per_buyer_limit')::int, 'used', v_used);
      END IF;
    END IF;
    IF v_refusal IS NOT NULL THEN
      v_results := array_append(v_results, v_refusal || jsonb_build_object('k', 'refused'));
      CONTINUE;
    END IF;

    -- Every check passed: take the units.
    FOR jj IN j0..j1 LOOP
      v_pr := v_prods -> (p_item_product[jj]::text);
      v_prods := jsonb_set(v_prods, ARRAY[p_item_product[jj]::text, 'stock'],
        to_jsonb((v_pr->>'stock')::int - p_item_qty[jj]));
      i_o := i_o || p_ids[r]; i_p := i_p || p_item_product[jj]; i_t := i_t || (v_pr->>'title');
      i_q := i_q || p_item_qty[jj]; i_u := i_u || v_units[jj - j0 + 1]; i_s := i_s || v_sales[jj - j0 + 1];
    END LOOP;
    v_sale_units := CASE WHEN v_on_sale THEN v_pin_units ELSE 0 END;
    IF v_sale_units > 0 AND v_pin->>'sale_remaining' IS NOT NULL THEN
      v_pins := jsonb_set(v_pins, ARRAY[p_streams[r]::text, 'sale_remaining'],
        to_jsonb((v_pin->>'sale_remaining')::int - v_sale_units));
    END IF;
    IF v_pin_j IS NOT NULL THEN
      v_run_add := v_run_add || jsonb_build_object(v_pin->>'id',
        coalesce((v_run_add->>(v_pin->>'id'))::int, 0) + v_pin_units);
    END IF;
    o_id := o_id || p_ids[r]; o_b := o_b || p_buyers[r]; o_m := o_m || (v_first->>'merchant_id')::uuid;
    o_c := o_c || (v_first->>'currency'); o_t := o_t || v_total; o_k := o_k || p_keys[r];
    o_h := o_h || p_hashes[r]; o_s := o_s || p_streams[r];
    o_p := o_p || CASE WHEN v_pin_j IS NULL THEN NULL ELSE (v_pin->>'id')::uuid END;
    o_off := o_off || CASE WHEN v_st IS NULL OR v_st->>'started_ms' IS NULL THEN NULL
      ELSE greatest(0, round(v_now_ms - (v_st->>'started_ms')::float8))::bigint END;
    o_pu := o_pu || v_pin_units; o_su := o_su || v_sale_units;
    o_sd := o_sd || CASE WHEN v_pin->>'sale_remaining' IS NULL THEN 0 ELSE v_sale_units END;
    v_results := array_append(v_results, jsonb_build_object('k', 'created',
      'm', v_first->'merchant_id', 'c', v_first->'currency', 't', v_total,
      'p', o_p[array_length(o_p, 1)],
      'pp', CASE WHEN v_pin_j IS NULL THEN NULL ELSE v_pin->'product_id' END, 'off', o_off[array_length(o_off, 1)], 'pu', v_pin_units, 'su', v_sale_units,
      'units', to_jsonb(v_units), 'sales', to_jsonb(v_sales), 'titles', to_jsonb(v_titles)));
  END LOOP;

  IF array_length(o_id, 1) IS NULL THEN
    RETURN jsonb_build_object('now', v_now_ms, 'inserted', '[]'::jsonb, 'results', to_jsonb(v_results));
  END IF;
  -- Inserted in the input's (buyer, key) order: transactions that meet on
  -- several keys wait on each other in the same order, never in a cycle. A
  -- key stored meanwhile by another transaction makes its row skip.
  WITH ins AS (
    INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
      request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, expires_at)
    SELECT u.id, u.b, u.m, 'pending_payment', u.c, u.t, u.k, u.h, u.s, u.p, u.off, u.pu, u.su,
      now() + make_interval(secs => p_hold_seconds)
    FROM unnest(o_id, o_b, o_m, o_c, o_t, o_k, o_h, o_s, o_p, o_off, o_pu, o_su)
      AS u(id, b, m, c, t, k, h, s, p, off, pu, su)
    ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
    RETURNING id, created_at, expires_at)
  SELECT array_agg(id), min(created_at), min(expires_at) INTO v_inserted, v_created, v_expires FROM ins;
  v_inserted := coalesce(v_inserted, '{}');

  INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
  SELECT x.o, x.p, x.t, x.q, x.u, x.s FROM unnest(i_o, i_p, i_t, i_q, i_u, i_s) AS x(o, p, t, q, u, s)
  WHERE x.o = ANY(v_inserted);

  -- Guarded decrements, summed from the orders that went in. The rows are
  -- locked and the amounts were decided from their locked values, so every
  -- guard holds; if one ever did not, the whole batch fails instead of overselling.
  WITH want AS (
    SELECT x.p, sum(x.q)::int AS q FROM unnest(i_o, i_p, i_q) AS x(o, p, q)
    WHERE x.o = ANY(v_inserted) GROUP BY x.p),
  took AS (
    UPDATE products pr SET stock = pr.stock - w.q, updated_at = now()
    FROM want w WHERE pr.id = w.p AND pr.stock >= w.q RETURNING pr.id)
  SELECT (SELECT count(*) FROM want), (SELECT count(*) FROM took) INTO v_want, v_took;
  IF v_want <> v_took THEN RAISE EXCEPTION 'lc_reserve_orders: stock guard failed'; END IF;
  WITH want AS (
    SELECT x.p, sum(x.sd)::int AS q FROM unnest(o_id, o_p, o_sd) AS x(o, p, sd)
    WHERE x.sd > 0 AND x.o = ANY(v_inserted) GROUP BY x.p),
  took AS (
    UPDATE pins pn SET sale_remaining = pn.sale_remaining - w.q
    FROM want w WHERE pn.id = w.p AND pn.sale_remaining >= w.q RETURNING pn.id)
  SELECT (SELECT count(*) FROM want), (SELECT count(*) FROM took) INTO v_want, v_took;
  IF v_want <> v_took THEN RAISE EXCEPTION 'lc_reserve_orders: sale stock guard failed'; END IF;

  RETURN jsonb_build_object('now', v_now_ms, 'created_at', v_created, 'expires_at', v_expires,
    'inserted', to_jsonb(v_inserted), 'results', to_jsonb(v_results));
END
$fn$`,

  `
CREATE FUNCTION lc_reserve_read(
  p_streams uuid[], p_products uuid[], p_buyers uuid[], p_keys text[], p_req_streams uuid[])
RETURNS json LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  r json;
BEGIN
  SELECT json_build_object(
    'nowMs', extract(epoch FROM now()) * 1000,
    'streams', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'merchantId', s.merchant_id,
        'status', s.status, 'startedAtMs', extract(epoch FROM s.started_at) * 1000)), '[]')
      FROM streams s WHERE s.id = ANY(p_streams)),
    'pins', (SELECT coalesce(json_agg(json_build_object('id', pn.id, 'streamId', pn.stream_id,
        'productId', pn.product_id, 'salePriceCents', pn.sale_price_cents, 'saleRemaining', pn.sale_remaining,
        'endsAtMs', extract(epoch FROM pn.ends_at) * 1000, 'perBuyerLimit', pn.per_buyer_limit,
        'version', pn.xmin::text)), '[]')
      FROM pins pn WHERE pn.stream_id = ANY(p_streams) AND pn.unpinned_at IS NULL),
    'products', (SELECT coalesce(json_agg(json_build_object('id', pr.id, 'merchantId', pr.merchant_id,
        'title', pr.title, 'priceCents', pr.price_cents, 'currency', pr.currency, 'stock', pr.stock,
        'version', pr.xmin::text)), '[]')
      FROM products pr WHERE pr.id = ANY(p_products)),
    'existing', (SELECT coalesce(json_agg(json_build_object('id', o.id, 'buyerId', kk.b,
        'idempotencyKey', kk.k, 'requestHash', o.request_hash)), '[]')
      FROM unnest(p_buyers, p_keys) AS kk(b, k)
      CROSS JOIN LATERAL (SELECT o1.id, o1.request_hash FROM orders o1
        WHERE o1.buyer_id = kk.b AND o1.idempotency_key = kk.k LIMIT 1) AS o),
    'usage', (SELECT coalesce(json_agg(json_build_object('pinId', q.pin_id, 'buyerId', q.buyer_id,
        'units', u.units)), '[]')
      FROM (SELECT DISTINCT pn.id AS pin_id, x.b AS buyer_id
            FROM unnest(p_buyers, p_req_streams) AS x(b, s)
            JOIN pins pn ON pn.stream_id = x.s AND pn.unpinned_at IS NULL
              AND pn.per_buyer_limit IS NOT NULL) AS q
      CROSS JOIN LATERAL (SELECT sum(o.pin_units)::int AS units FROM orders o
        WHERE o.pin_id = q.pin_id AND o.buyer_id = q.buyer_id
          AND o.status IN ('pending_payment', 'paid', 'fulfilled')) AS u
      WHERE u.units IS NOT NULL)
  ) INTO r;
  RETURN r;
END
$fn$`,

  `
CREATE FUNCTION lc_reserve_write(
  p_pin_ids uuid[], p_pin_versions text[], p_product_ids uuid[], p_product_versions text[],
  o_id uuid[], o_b uuid[], o_m uuid[], o_c text[], o_t bigint[], o_k text[], o_h text[], o_s uuid[],
  o_p uuid[], o_off bigint[], o_pu int[], o_su int[],
  i_o uuid[], i_p uuid[], i_t text[], i_q int[], i_u int[], i_s boolean[],
  p_decided_ms float8, p_hold_seconds int)
RETURNS json LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  r json;
BEGIN
  WITH pins_current AS (
    SELECT pn.id FROM pins pn JOIN unnest(p_pin_ids, p_pin_versions) AS v(id, version) ON pn.id = v.id
    WHERE pn.xmin = v.version::xid ORDER BY pn.id FOR NO KEY UPDATE OF pn),
  products_current AS (
    SELECT pr.id FROM products pr JOIN unnest(p_product_ids, p_product_versions) AS v(id, version)
      ON pr.id = v.id
    WHERE pr.xmin = v.version::xid ORDER BY pr.id FOR NO KEY UPDATE OF pr),
  -- Pins first: AND evaluates left to right, so the lock order holds.
  current AS (
    SELECT (SELECT count(*) FROM pins_current) = coalesce(cardinality(p_pin_ids), 0)
       AND (SELECT count(*) FROM products_current) = coalesce(cardinality(p_product_ids), 0) AS ok),
  -- A key stored meanwhile by another transaction or replica makes its row skip.
  ins AS (
    INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
      request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, created_at, expires_at)
    SELECT u.id, u.b, u.m, 'pending_payment', u.c, u.t, u.k, u.h, u.s, u.p, u.off, u.pu, u.su,
      to_timestamp(p_decided_ms / 1000),
      to_timestamp(p_decided_ms / 1000) + make_interval(secs => p_hold_seconds)
    FROM unnest(o_id, o_b, o_m, o_c, o_t, o_k, o_h, o_s, o_p, o_off, o_pu, o_su)
      AS u(id, b, m, c, t, k, h, s, p, off, pu, su)
    WHERE (SELECT ok FROM current)
    ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
    RETURNING id, pin_id, sale_units),
  items AS (
    INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
    SELECT x.o, x.p, x.t, x.q, x.u, x.s FROM unnest(i_o, i_p, i_t, i_q, i_u, i_s) AS x(o, p, t, q, u, s)
    WHERE x.o IN (SELECT id FROM ins)
    RETURNING product_id, quantity),
  -- Units of the orders that went in. No guard in the WHERE: the amounts were
  -- decided from the locked versions, and the CHECK constraints fail the whole
  -- statement should that ever be wrong.
  took AS (
    UPDATE products pr SET stock = pr.stock - d.q, updated_at = now()
    FROM (SELECT product_id, sum(quantity)::int AS q FROM items GROUP BY product_id) AS d
    WHERE pr.id = d.product_id RETURNING pr.id),
  sale_took AS (
    UPDATE pins pn SET sale_remaining = pn.sale_remaining - d.q
    FROM (SELECT pin_id, sum(sale_units)::int AS q FROM ins WHERE sale_units > 0 GROUP BY pin_id) AS d
    WHERE pn.id = d.pin_id AND pn.sale_remaining IS NOT NULL RETURNING pn.id)
  SELECT json_build_object(
    'current', (SELECT ok FROM current),
    'inserted', (SELECT coalesce(json_agg(id), '[]') FROM ins),
    'products', (SELECT count(*) FROM took),
    'pins', (SELECT count(*) FROM sale_took),
    'createdAt', to_timestamp(p_decided_ms / 1000),
    'expiresAt', to_timestamp(p_decided_ms / 1000) + make_interval(secs => p_hold_seconds)) INTO r;
  RETURN r;
END
$fn$`,

  `
CREATE FUNCTION report_journal_created() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
  SELECT o.id, o.merchant_id, o.status, 1, 'created'
  FROM (SELECT DISTINCT order_id FROM new_items) AS n
  CROSS JOIN LATERAL (SELECT o1.id, o1.merchant_id, o1.status FROM orders o1
    WHERE o1.id = n.order_id LIMIT 1) AS o;
  RETURN NULL;
END $$`,

  `
CREATE FUNCTION report_journal_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
        SELECT n.id, n.merchant_id, x.status, x.sign, 'moved'
        FROM old_orders o JOIN new_orders n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.status, -1), (n.status, 1)) AS x(status, sign)
        WHERE o.status IS DISTINCT FROM n.status;
        RETURN NULL;
      END $$`,

  `
CREATE FUNCTION reports_apply(p_ids uuid[], p_status text[], p_sign int[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
      WITH d AS (
        SELECT o.id, o.merchant_id, o.currency, o.buyer_id, o.stream_id, o.pin_id, o.total_cents,
               o.created_at, x.sign,
               x.status IN ('paid', 'fulfilled', 'refunded') AS paid,
               x.status = 'refunded' AS refunded,
               coalesce(ms.time_zone, 'UTC') AS tz
        FROM unnest(p_ids, p_status, p_sign) AS x(id, status, sign)
        CROSS JOIN LATERAL (SELECT * FROM orders o1 WHERE o1.id = x.id LIMIT 1) AS o
        LEFT JOIN merchant_settings ms ON ms.merchant_id = o.merchant_id
        WHERE x.status <> 'expired'
      ),
      lines AS (
        SELECT d.*, '00000000-0000-0000-0000-000000000000'::uuid AS product_key, d.total_cents AS amount,
               (SELECT coalesce(sum(i.quantity), 0) FROM order_items i WHERE i.order_id = d.id)::bigint AS qty,
               false AS pinned
        FROM d
        UNION ALL
        SELECT d.*, i.product_id, i.quantity::bigint * i.unit_price_cents, i.quantity::bigint,
               coalesce(p.product_id = i.product_id, false)
        FROM d CROSS JOIN LATERAL (SELECT * FROM order_items i1 WHERE i1.order_id = d.id OFFSET 0) AS i
        LEFT JOIN pins p ON p.id = d.pin_id
      ),
      k AS (
        SELECT l.merchant_id, g.grain::smallint AS grain, s.stream_key, l.product_key, l.currency,
               g.bucket, l.buyer_id, l.sign, l.amount, l.qty, l.paid, l.refunded
        FROM lines l
        CROSS JOIN LATERAL (VALUES
          (1, date_trunc('minute', l.created_at)),
          (2, date_trunc('hour', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (3, date_trunc('day', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (0, 'epoch'::timestamptz)
        ) AS g(grain, bucket)
        CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (l.stream_id)) AS s(stream_key)
        WHERE s.stream_key IS NOT NULL
          AND NOT (g.grain = 0 AND s.stream_key = '00000000-0000-0000-0000-000000000000')
        UNION ALL
        SELECT l.merchant_id, 4::smallint, l.stream_id, l.product_key, l.currency, 'epoch'::timestamptz,
               l.buyer_id, l.sign, l.amount, l.qty, l.paid, l.refunded
        FROM lines l WHERE l.pinned AND l.stream_id IS NOT NULL
      ),
      b AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, sum(sign)::int AS dn
        FROM k GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(sign) <> 0
      ),
      a AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket,
               sum(sign * amount) AS gmv,
               coalesce(sum(sign * amount) FILTER (WHERE paid), 0) AS paid,
               coalesce(sum(sign * amount) FILTER (WHERE refunded), 0) AS refunded,
               sum(sign)::int AS orders,
               sum(sign * qty) AS units
        FROM k GROUP BY 1, 2, 3, 4, 5, 6
      ),
      new_sets AS (
        INSERT INTO report_buyer_sets (merchant_id, grain, stream_key, product_key, currency, bucket)
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket FROM a ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket) DO NOTHING
        RETURNING id, merchant_id, grain, stream_key, product_key, currency, bucket
      ),
      sets AS (
        SELECT * FROM new_sets
        UNION ALL
        SELECT s.id, a.merchant_id, a.grain, a.stream_key, a.product_key, a.currency, a.bucket
        FROM a CROSS JOIN LATERAL (SELECT s1.id FROM report_buyer_sets s1
          WHERE s1.merchant_id = a.merchant_id AND s1.grain = a.grain AND s1.stream_key = a.stream_key
            AND s1.product_key = a.product_key AND s1.currency = a.currency AND s1.bucket = a.bucket
          LIMIT 1) AS s
      ),
      bu AS (
        INSERT INTO report_set_buyers AS r (set_id, buyer_id, n, last_dn)
        SELECT s.id, b.buyer_id, b.dn, b.dn
        FROM b JOIN sets s USING (merchant_id, grain, stream_key, product_key, currency, bucket)
        ORDER BY 1, 2
        ON CONFLICT (set_id, buyer_id) DO UPDATE SET n = r.n + EXCLUDED.n, last_dn = EXCLUDED.n
        RETURNING r.set_id, r.n, r.last_dn
      ),
      bd AS (
        SELECT s.merchant_id, s.grain, s.stream_key, s.product_key, s.currency, s.bucket, d.dbuyers
        FROM (SELECT set_id, sum((n > 0)::int - ((n - last_dn) > 0)::int)::int AS dbuyers
              FROM bu GROUP BY set_id) AS d
        JOIN sets s ON s.id = d.set_id
      )
      INSERT INTO report_rollups AS r (merchant_id, grain, stream_key, product_key, currency, bucket,
        gmv_cents, paid_cents, refunded_cents, orders, units, buyers)
      SELECT a.merchant_id, a.grain, a.stream_key, a.product_key, a.currency, a.bucket,
             a.gmv, a.paid, a.refunded, a.orders, a.units, coalesce(bd.dbuyers, 0)
      FROM a LEFT JOIN bd USING (merchant_id, grain, stream_key, product_key, currency, bucket)
      ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket) DO UPDATE SET
        gmv_cents = r.gmv_cents + EXCLUDED.gmv_cents,
        paid_cents = r.paid_cents + EXCLUDED.paid_cents,
        refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents,
        orders = r.orders + EXCLUDED.orders,
        units = r.units + EXCLUDED.units,
        buyers = r.buyers + EXCLUDED.buyers
      $$`,

  `
CREATE FUNCTION reports_fold(p_limit int)
RETURNS TABLE (order_id uuid, status text, sign int, op text)
LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[]; v_op text[];
      BEGIN
        PERFORM pg_advisory_xact_lock(7638003);
        -- The aggregates of a large batch fit in memory instead of spilling.
        PERFORM set_config('work_mem', '64MB', true);
        WITH j AS (
          DELETE FROM report_journal
          WHERE seq IN (SELECT seq FROM report_journal ORDER BY seq LIMIT p_limit)
          RETURNING report_journal.seq, report_journal.order_id, report_journal.status,
                    report_journal.sign, report_journal.op
        )
        SELECT array_agg(j.order_id ORDER BY j.seq), array_agg(j.status ORDER BY j.seq),
               array_agg(j.sign::int ORDER BY j.seq), array_agg(j.op ORDER BY j.seq)
        INTO v_ids, v_status, v_sign, v_op FROM j;
        IF v_ids IS NULL THEN RETURN; END IF;
        PERFORM reports_apply(v_ids, v_status, v_sign);
        RETURN QUERY SELECT * FROM unnest(v_ids, v_status, v_sign, v_op);
      END $$`,

  `
CREATE FUNCTION reports_rebuild(p_merchant uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[];
      BEGIN
        PERFORM set_config('work_mem', '64MB', true);
        DELETE FROM report_journal WHERE merchant_id = p_merchant;
        DELETE FROM report_rollups WHERE merchant_id = p_merchant;
        DELETE FROM report_set_buyers WHERE set_id IN
          (SELECT id FROM report_buyer_sets WHERE merchant_id = p_merchant);
        DELETE FROM report_buyer_sets WHERE merchant_id = p_merchant;
        SELECT array_agg(id), array_agg(status), array_agg(1) INTO v_ids, v_status, v_sign
        FROM orders WHERE merchant_id = p_merchant;
        IF v_ids IS NOT NULL THEN PERFORM reports_apply(v_ids, v_status, v_sign); END IF;
      END $$`,

  `
CREATE TRIGGER order_items_report_journal AFTER INSERT ON order_items
REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION report_journal_created()`,

  `
CREATE TRIGGER orders_report_journal AFTER UPDATE ON orders
REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
FOR EACH STATEMENT EXECUTE FUNCTION report_journal_moved()`,
];

export class Baseline1765000000000 implements MigrationInterface {
  name = 'Baseline1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const recorded = (await q.query(`SELECT name FROM migrations WHERE name = ANY($1)`, [CHAIN_0_1])) as {
      name: string;
    }[];
    if (recorded.length === CHAIN_0_1.length) return;
    if (recorded.length > 0) {
      const missing = CHAIN_0_1.filter((n) => !recorded.some((r) => r.name === n));
      throw new Error(
        'This database was created by an older livecart and its migrations were not all applied ' +
          `(missing: ${missing.join(', ')}). Upgrade it through livecart 0.1.x first ` +
          '(start 0.1.x once on it, or run its `npm run migration:run`), then start this version.',
      );
    }
    for (const sql of SCHEMA) await q.query(sql);
  }

  async down(): Promise<void> {
    throw new Error(
      'Baseline1765000000000 is the first migration and cannot be reverted: drop the database instead',
    );
  }
}
