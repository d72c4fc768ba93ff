-- MON_DECEASED (在保对象死亡未停保). A person dead on or before D who has an active person-level enrollment on
-- D, or who is a member of a household in care (an active dibao, tekun, dibao_edge or rigid_hardship row
-- for the household or any member). monthly_amount = the sum of their active person-level monthly_amounts
-- (0 with household-level enrollments only). Payments stop from the month after death; the months
-- overpaid up to D are those from that month to D's month (0 when they died in D's month).
WITH own AS (
  SELECT a.id_number, a.programme, a.start_date, a.monthly_amount
  FROM active a
  JOIN dead d ON d.id_number = a.id_number
),
own_sum AS (
  SELECT id_number, sum(monthly_amount) AS amount FROM own GROUP BY id_number
),
care AS (
  SELECT m.id_number, a.programme, a.start_date
  FROM member m
  JOIN household h ON h.household_id = m.household_id
  JOIN hh_active a ON a.household_id = m.household_id
  WHERE h.in_care = 1 AND a.programme IN ('dibao', 'tekun', 'dibao_edge', 'rigid_hardship')
    AND EXISTS (SELECT 1 FROM dead d WHERE d.id_number = m.id_number)
),
hit AS (
  SELECT d.id_number, d.death_date, d.source, 'stop_payments' AS suggested_action,
    coalesce(s.amount, 0) AS monthly_amount,
    CASE WHEN month(d.death_date) = 12 THEN make_date(year(d.death_date) + 1, 1, 1)
         ELSE make_date(year(d.death_date), month(d.death_date) + 1, 1) END AS stop_from,
    {DM} - (year(d.death_date) * 12 + month(d.death_date)) AS overpaid_months
  FROM dead d
  LEFT JOIN own_sum s ON s.id_number = d.id_number
  LEFT JOIN (SELECT DISTINCT id_number FROM care) c ON c.id_number = d.id_number
  WHERE s.id_number IS NOT NULL OR c.id_number IS NOT NULL
),
ev AS (
  SELECT id_number, 'deaths' AS source, 'death' AS kind, source AS ref, death_date AS ev_date,
    CAST(NULL AS DECIMAL(18, 2)) AS amount, CAST(NULL AS INTEGER) AS n
  FROM hit
  UNION ALL
  SELECT id_number, 'computed', 'stop_from', substr(CAST(stop_from AS VARCHAR), 1, 7), NULL, NULL, NULL FROM hit
  UNION ALL
  SELECT id_number, 'computed', 'overpaid_months', NULL, NULL, NULL, overpaid_months FROM hit
  UNION ALL
  SELECT id_number, 'registry_enrollments', 'enrollment', programme, start_date, monthly_amount, NULL FROM own
  UNION ALL
  SELECT id_number, 'registry_enrollments', 'household_in_care', programme, start_date, NULL, NULL FROM care
)
