-- The terms of monitoring-scenarios.md, shared by the seven scenarios (DuckDB dialect; transpiled to Spark
-- SQL by sqlglot). Each "-- name: X" block is one SELECT, made a table (DuckDB) or a cached view (Spark)
-- named X, in this order. {D} is the monitoring date as a DATE literal, {DM} its month as year*12+month.
-- Inputs: population, the feeds (deaths, medical_claims, ...), registry_households, registry_members,
-- registry_enrollments (the archive snapshot), params and param_codes (dated parameters).

-- name: prm
-- The parameters in force on D, one row (NULL where a parameter is not in force).
SELECT
  CAST(max(CASE WHEN name = 'high_age.age_80' THEN value END) AS INTEGER) AS age_80,
  CAST(max(CASE WHEN name = 'high_age.age_90' THEN value END) AS INTEGER) AS age_90,
  CAST(max(CASE WHEN name = 'high_age.age_100' THEN value END) AS INTEGER) AS age_100,
  CAST(max(CASE WHEN name = 'high_age.rate_100' THEN value END) AS DECIMAL(18, 2)) AS rate_100,
  CAST(max(CASE WHEN name = 'high_age.rate_90' THEN value END) AS DECIMAL(18, 2)) AS rate_90,
  CAST(max(CASE WHEN name = 'high_age.rate_80_low_income' THEN value END) AS DECIMAL(18, 2)) AS rate_80_low_income,
  CAST(max(CASE WHEN name = 'high_age.rate_80_general' THEN value END) AS DECIMAL(18, 2)) AS rate_80_general,
  CAST(max(CASE WHEN name = 'disability.care' THEN value END) AS DECIMAL(18, 2)) AS care_subsidy,
  CAST(max(CASE WHEN name = 'disability.living' THEN value END) AS DECIMAL(18, 2)) AS living_subsidy,
  CAST(max(CASE WHEN name = 'disability.severe_max_grade' THEN value END) AS INTEGER) AS severe_max_grade,
  CAST(max(CASE WHEN name = 'orphan.standard' THEN value END) AS DECIMAL(18, 2)) AS orphan_standard,
  CAST(max(CASE WHEN name = 'person.adult_age' THEN value END) AS INTEGER) AS adult_age,
  CAST(max(CASE WHEN name = 'dibao.standard' THEN value END) AS DECIMAL(18, 2)) AS dibao_standard,
  CAST(max(CASE WHEN name = 'dibao.edge_multiplier' THEN value END) AS DECIMAL(18, 4)) AS edge_multiplier,
  CAST(max(CASE WHEN name = 'monitoring.asset_income.shareholder_capital_min' THEN value END) AS DECIMAL(18, 2))
    AS shareholder_capital_min,
  CAST(max(CASE WHEN name = 'monitoring.asset_income.residential_properties_min' THEN value END) AS INTEGER)
    AS residential_properties_min,
  CAST(max(CASE WHEN name = 'monitoring.hardship.self_paid_min' THEN value END) AS DECIMAL(18, 2)) AS self_paid_min,
  CAST(max(CASE WHEN name = 'monitoring.hardship.self_paid_days' THEN value END) AS INTEGER) AS self_paid_days,
  CAST(max(CASE WHEN name = 'monitoring.hardship.recent_days' THEN value END) AS INTEGER) AS recent_days
FROM params
WHERE since <= {D} AND (until IS NULL OR until > {D})

-- name: codes
-- The code lists in force on D (assets.prohibited_vehicles, assets.prohibited_business_roles).
SELECT name, code FROM param_codes WHERE since <= {D} AND (until IS NULL OR until > {D})

-- name: dead
-- "Living on D: no deaths row dated on or before D." The people who are not, with their earliest report
-- (the feed keeps one fact per person and date; a later delivery may have brought an earlier date).
SELECT id_number, min(death_date) AS death_date, arg_min(source, death_date) AS source
FROM deaths
WHERE death_date <= {D}
GROUP BY id_number

-- name: active
-- "Active on D: start_date <= D and (end_date empty or end_date >= D)."
SELECT household_id, id_number, programme, start_date, end_date, monthly_amount
FROM registry_enrollments
WHERE start_date <= {D} AND (end_date IS NULL OR end_date >= {D})

-- name: member
-- The archive's members with their household's area (one household per person in the snapshot).
SELECT m.household_id, m.id_number, m.name, m.monthly_income, h.area_code
FROM registry_members m
LEFT JOIN registry_households h ON h.household_id = m.household_id

-- name: hh_active
-- "A household with an active X enrollment": an active X row for the household (empty id_number) or for
-- any of its members (one member's tekun puts the whole household in care).
SELECT a.household_id, a.id_number, a.programme, a.start_date, a.monthly_amount
FROM active a
WHERE a.id_number IS NULL AND a.household_id IS NOT NULL
UNION ALL
SELECT m.household_id, a.id_number, a.programme, a.start_date, a.monthly_amount
FROM active a
JOIN member m ON m.id_number = a.id_number

-- name: household
-- Per archived household: its size and countable income, whether it has an active tekun/dibao/dibao_edge
-- (low_income), dibao_edge (edge) or any in-care programme (in_care), and its window's first day.
SELECT h.household_id, h.area_code,
  coalesce(s.members, 0) AS members, coalesce(s.income, 0) AS income,
  coalesce(a.low_income, 0) AS low_income, coalesce(a.edge, 0) AS edge, coalesce(a.in_care, 0) AS in_care,
  a.window_start
FROM registry_households h
LEFT JOIN (
  SELECT household_id, count(*) AS members, sum(coalesce(monthly_income, 0)) AS income
  FROM registry_members GROUP BY household_id
) s ON s.household_id = h.household_id
LEFT JOIN (
  SELECT household_id,
    max(CASE WHEN programme IN ('tekun', 'dibao', 'dibao_edge') THEN 1 ELSE 0 END) AS low_income,
    max(CASE WHEN programme = 'dibao_edge' THEN 1 ELSE 0 END) AS edge,
    max(CASE WHEN programme IN ('dibao', 'tekun', 'dibao_edge', 'rigid_hardship') THEN 1 ELSE 0 END) AS in_care,
    min(CASE WHEN programme IN ('dibao', 'tekun', 'dibao_edge', 'rigid_hardship') THEN start_date END)
      AS window_start
  FROM hh_active GROUP BY household_id
) a ON a.household_id = h.household_id

-- name: valid_cert
-- "Valid certificate on D: issue_date <= D and (valid_until empty or valid_until >= D)."
SELECT id_number, cert_no, disability_type, grade, issue_date, valid_until
FROM disability_certs
WHERE issue_date <= {D} AND (valid_until IS NULL OR valid_until >= {D})

-- name: severe
-- Severely disabled on D: a certificate valid on D of grade 1..disability.severe_max_grade (1 or 2).
SELECT c.id_number, c.cert_no, c.disability_type, c.grade, c.issue_date, c.valid_until
FROM valid_cert c
CROSS JOIN prm
WHERE c.grade <= prm.severe_max_grade

-- name: dress
-- Appended to every scenario (its CTEs end with hit(id_number, suggested_action, monthly_amount) and
-- ev(id_number, source, kind, ref, ev_date, amount, n)): one row per evidence row, with the person's name,
-- archive household and area (the household's area_code, else the population's).
SELECT '{SCENARIO}' AS scenario, h.id_number, coalesce(m.name, p.name) AS name, m.household_id,
  coalesce(m.area_code, p.area_code) AS area_code, h.suggested_action,
  CAST(h.monthly_amount AS DECIMAL(18, 2)) AS monthly_amount,
  e.source, e.kind, CAST(e.ref AS VARCHAR) AS ref, CAST(e.ev_date AS DATE) AS ev_date,
  CAST(e.amount AS DECIMAL(18, 2)) AS amount, CAST(e.n AS INTEGER) AS n
FROM hit h
JOIN ev e ON e.id_number = h.id_number
LEFT JOIN member m ON m.id_number = h.id_number
LEFT JOIN population p ON p.id_number = h.id_number
