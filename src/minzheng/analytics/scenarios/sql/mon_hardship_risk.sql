-- MON_HARDSHIP_RISK (困难风险, 重点监测). A member of a household in care, living on D, with at least one of:
-- self_paid summed over medical_claims settled in the 365 days ending on D (D-364 .. D) of at least 20,000;
-- a certificate of grade 1 or 2 issued in the 90 days ending on D; an unemployed event in those 90 days.
-- (Days and amounts: monitoring.hardship.*, disability.severe_max_grade.) The evidence names each trigger
-- and the 12-month self-paid total.
WITH cm AS (
  SELECT m.id_number
  FROM member m
  JOIN household h ON h.household_id = m.household_id
  WHERE h.in_care = 1
    AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.id_number = m.id_number)
),
paid AS (
  SELECT c.id_number, sum(c.self_paid) AS total, count(*) AS claims, max(c.settle_date) AS last_date
  FROM medical_claims c
  JOIN cm ON cm.id_number = c.id_number
  CROSS JOIN prm
  WHERE c.settle_date <= {D} AND date_diff('day', c.settle_date, {D}) < prm.self_paid_days
  GROUP BY c.id_number
),
trig AS (
  SELECT p.id_number, 'medical_claims' AS source, 'self_paid_12m' AS kind, CAST(NULL AS VARCHAR) AS ref,
    p.last_date AS ev_date, p.total AS amount, CAST(p.claims AS INTEGER) AS n
  FROM paid p
  CROSS JOIN prm
  WHERE p.total >= prm.self_paid_min
  UNION ALL
  SELECT cm.id_number, 'disability_certs', 'severe_certificate_issued', c.cert_no, c.issue_date, NULL, c.grade
  FROM cm
  JOIN disability_certs c ON c.id_number = cm.id_number
  CROSS JOIN prm
  WHERE c.grade <= prm.severe_max_grade AND c.issue_date <= {D}
    AND date_diff('day', c.issue_date, {D}) < prm.recent_days
  UNION ALL
  SELECT cm.id_number, 'employment', 'unemployed', NULL, e.event_date, NULL, NULL
  FROM cm
  JOIN employment e ON e.id_number = cm.id_number
  CROSS JOIN prm
  WHERE e.event = 'unemployed' AND e.event_date <= {D} AND date_diff('day', e.event_date, {D}) < prm.recent_days
),
hit AS (
  SELECT DISTINCT id_number, 'monitor' AS suggested_action, CAST(NULL AS DECIMAL(18, 2)) AS monthly_amount FROM trig
),
ev AS (
  SELECT id_number, source, kind, ref, ev_date, amount, n FROM trig
  UNION ALL
  SELECT h.id_number, 'computed', 'self_paid_12m_total', NULL, NULL, coalesce(p.total, 0), coalesce(p.claims, 0)
  FROM hit h
  LEFT JOIN paid p ON p.id_number = h.id_number
)
