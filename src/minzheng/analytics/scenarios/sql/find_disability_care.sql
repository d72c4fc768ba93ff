-- FIND_DISABILITY_CARE (重度残疾人护理补贴). A person in population, living on D, holding a certificate valid
-- on D with grade 1 or 2 (disability.severe_max_grade), without an active disability_care enrollment.
-- monthly_amount = disability.care in force on D (no alert while it is not in force).
WITH hit AS (
  SELECT p.id_number, 'disability_care' AS suggested_action, prm.care_subsidy AS monthly_amount
  FROM population p
  CROSS JOIN prm
  WHERE prm.care_subsidy IS NOT NULL
    AND EXISTS (SELECT 1 FROM severe s WHERE s.id_number = p.id_number)
    AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.id_number = p.id_number)
    AND NOT EXISTS (SELECT 1 FROM active a WHERE a.id_number = p.id_number AND a.programme = 'disability_care')
),
ev AS (
  SELECT s.id_number, 'disability_certs' AS source, 'severe_certificate' AS kind, s.cert_no AS ref,
    s.issue_date AS ev_date, CAST(NULL AS DECIMAL(18, 2)) AS amount, s.grade AS n
  FROM severe s
)
