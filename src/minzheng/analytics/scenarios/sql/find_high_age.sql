-- FIND_HIGH_AGE (高龄津贴). A person in population, living on D, aged at least 80 in D's month, whose amount
-- due (high_age parameters in force on D) is above what they receive (their active high_age enrollment's
-- monthly_amount, 0 if none). Due: 100+ rate_100; 90-99 rate_90; 80-89 rate_80_low_income when their
-- archive household has an active tekun, dibao or dibao_edge enrollment, else rate_80_general (0 before it
-- exists). Month-age: aged N in D's month when (birth year + N, birth month) <= (D's year, D's month),
-- i.e. year*12 + month of the birth date + 12*N <= {DM}.
WITH aged AS (
  SELECT p.id_number, p.birth_date, year(p.birth_date) * 12 + month(p.birth_date) AS born
  FROM population p
  CROSS JOIN prm
  WHERE year(p.birth_date) * 12 + month(p.birth_date) + 12 * prm.age_80 <= {DM}
    AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.id_number = p.id_number)
),
low AS (
  SELECT m.id_number, a.programme, a.start_date
  FROM member m
  JOIN hh_active a ON a.household_id = m.household_id
  WHERE a.programme IN ('tekun', 'dibao', 'dibao_edge')
),
got AS (
  SELECT id_number, max(monthly_amount) AS amount, max(start_date) AS since
  FROM active
  WHERE programme = 'high_age' AND id_number IS NOT NULL
  GROUP BY id_number
),
due AS (
  SELECT x.id_number, x.birth_date,
    CASE WHEN x.born + 12 * prm.age_100 <= {DM} THEN prm.age_100
         WHEN x.born + 12 * prm.age_90 <= {DM} THEN prm.age_90
         ELSE prm.age_80 END AS band,
    CASE WHEN x.born + 12 * prm.age_100 <= {DM} THEN coalesce(prm.rate_100, 0)
         WHEN x.born + 12 * prm.age_90 <= {DM} THEN coalesce(prm.rate_90, 0)
         WHEN li.id_number IS NOT NULL THEN coalesce(prm.rate_80_low_income, 0)
         ELSE coalesce(prm.rate_80_general, 0) END AS amount_due
  FROM aged x
  CROSS JOIN prm
  LEFT JOIN (SELECT DISTINCT id_number FROM low) li ON li.id_number = x.id_number
),
hit AS (
  SELECT d.id_number, d.birth_date, d.band, d.amount_due AS monthly_amount, 'high_age' AS suggested_action,
    g.amount AS paid, g.since AS paid_since
  FROM due d
  LEFT JOIN got g ON g.id_number = d.id_number
  WHERE d.amount_due > coalesce(g.amount, 0)
),
ev AS (
  -- the month the person entered their age band, and the amount due for it
  SELECT id_number, 'population' AS source, 'age_band' AS kind, CAST(band AS VARCHAR) AS ref,
    make_date(year(birth_date) + band, month(birth_date), 1) AS ev_date, monthly_amount AS amount, band AS n
  FROM hit
  UNION ALL
  -- what they receive now
  SELECT id_number, 'registry_enrollments', 'high_age_paid', 'high_age', paid_since, paid, CAST(NULL AS INTEGER)
  FROM hit
  WHERE paid IS NOT NULL
  UNION ALL
  -- the household enrollment that raises the 80-89 rate
  SELECT h.id_number, 'registry_enrollments', 'low_income_household', l.programme, l.start_date,
    CAST(NULL AS DECIMAL(18, 2)), CAST(NULL AS INTEGER)
  FROM hit h
  CROSS JOIN prm
  JOIN low l ON l.id_number = h.id_number
  WHERE h.band = prm.age_80
)
