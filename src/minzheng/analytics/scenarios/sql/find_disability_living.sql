-- FIND_DISABILITY_LIVING (困难残疾人生活补贴). A person living on D, holding a certificate valid on D (any
-- grade), who is a member of a household with an active dibao enrollment (household-level, or their own),
-- without an active disability_living enrollment. monthly_amount = disability.living in force on D.
WITH dibao_for AS (
  SELECT m.id_number, a.start_date, 'household' AS level
  FROM member m
  JOIN active a ON a.household_id = m.household_id AND a.id_number IS NULL
  WHERE a.programme = 'dibao'
  UNION ALL
  SELECT m.id_number, a.start_date, 'person' AS level
  FROM member m
  JOIN active a ON a.id_number = m.id_number
  WHERE a.programme = 'dibao'
),
hit AS (
  SELECT m.id_number, 'disability_living' AS suggested_action, prm.living_subsidy AS monthly_amount
  FROM member m
  CROSS JOIN prm
  WHERE prm.living_subsidy IS NOT NULL
    AND EXISTS (SELECT 1 FROM valid_cert c WHERE c.id_number = m.id_number)
    AND EXISTS (SELECT 1 FROM dibao_for f WHERE f.id_number = m.id_number)
    AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.id_number = m.id_number)
    AND NOT EXISTS (SELECT 1 FROM active a WHERE a.id_number = m.id_number AND a.programme = 'disability_living')
),
ev AS (
  SELECT c.id_number, 'disability_certs' AS source, 'certificate' AS kind, c.cert_no AS ref, c.issue_date AS ev_date,
    CAST(NULL AS DECIMAL(18, 2)) AS amount, c.grade AS n
  FROM valid_cert c
  UNION ALL
  SELECT f.id_number, 'registry_enrollments', 'dibao', f.level, f.start_date, CAST(NULL AS DECIMAL(18, 2)),
    CAST(NULL AS INTEGER)
  FROM dibao_for f
)
