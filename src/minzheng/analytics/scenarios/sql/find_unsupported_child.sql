-- FIND_UNSUPPORTED_CHILD (孤儿 / 事实无人抚养儿童). A person in population, living on D, under 18 in D's month
-- (person.adult_age), with neither an active orphan nor unsupported_child enrollment, whose father and
-- mother are both recorded, and where both parents are dead on or before D (orphan), or one parent is
-- absent and the other absent or severely disabled (unsupported_child). Absent: dead on or before D, or
-- the latest justice event on or before D is imprisoned or declared_missing (two events on one day: a
-- release is taken as the later). Severely disabled: a certificate valid on D of grade 1 or 2.
-- monthly_amount = orphan.standard in force on D.
WITH last_justice AS (
  SELECT id_number, event, event_date
  FROM (
    SELECT id_number, event, event_date,
      row_number() OVER (PARTITION BY id_number
                         ORDER BY event_date DESC, CASE WHEN event = 'released' THEN 0 ELSE 1 END, event) AS rk
    FROM justice
    WHERE event_date <= {D}
  ) j
  WHERE rk = 1
),
away AS (
  SELECT id_number, event, event_date FROM last_justice WHERE event IN ('imprisoned', 'declared_missing')
),
sev AS (
  SELECT id_number, min(grade) AS grade, max(issue_date) AS issue_date, min(cert_no) AS cert_no
  FROM severe GROUP BY id_number
),
kid AS (
  SELECT p.id_number, p.father_id_number AS fid, p.mother_id_number AS mid
  FROM population p
  CROSS JOIN prm
  WHERE year(p.birth_date) * 12 + month(p.birth_date) + 12 * prm.adult_age > {DM}
    AND p.father_id_number IS NOT NULL AND p.mother_id_number IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.id_number = p.id_number)
    AND NOT EXISTS (SELECT 1 FROM active a WHERE a.id_number = p.id_number
                    AND a.programme IN ('orphan', 'unsupported_child'))
),
parents AS (
  SELECT k.id_number, k.fid, k.mid,
    fd.death_date AS f_death, fd.source AS f_death_source, fa.event AS f_event, fa.event_date AS f_event_date,
    fs.grade AS f_grade, fs.issue_date AS f_cert_date, fs.cert_no AS f_cert_no,
    md.death_date AS m_death, md.source AS m_death_source, ma.event AS m_event, ma.event_date AS m_event_date,
    ms.grade AS m_grade, ms.issue_date AS m_cert_date, ms.cert_no AS m_cert_no,
    CASE WHEN fd.id_number IS NOT NULL OR fa.id_number IS NOT NULL THEN 1 ELSE 0 END AS f_absent,
    CASE WHEN md.id_number IS NOT NULL OR ma.id_number IS NOT NULL THEN 1 ELSE 0 END AS m_absent,
    CASE WHEN fs.id_number IS NOT NULL THEN 1 ELSE 0 END AS f_severe,
    CASE WHEN ms.id_number IS NOT NULL THEN 1 ELSE 0 END AS m_severe
  FROM kid k
  LEFT JOIN dead fd ON fd.id_number = k.fid
  LEFT JOIN dead md ON md.id_number = k.mid
  LEFT JOIN away fa ON fa.id_number = k.fid
  LEFT JOIN away ma ON ma.id_number = k.mid
  LEFT JOIN sev fs ON fs.id_number = k.fid
  LEFT JOIN sev ms ON ms.id_number = k.mid
),
hit AS (
  SELECT x.*,
    CASE WHEN x.f_death IS NOT NULL AND x.m_death IS NOT NULL THEN 'orphan' ELSE 'unsupported_child' END
      AS suggested_action,
    prm.orphan_standard AS monthly_amount
  FROM parents x
  CROSS JOIN prm
  WHERE prm.orphan_standard IS NOT NULL
    AND ((x.f_death IS NOT NULL AND x.m_death IS NOT NULL)
         OR (x.f_absent = 1 AND (x.m_absent = 1 OR x.m_severe = 1))
         OR (x.m_absent = 1 AND (x.f_absent = 1 OR x.f_severe = 1)))
),
ev AS (
  SELECT id_number, 'deaths' AS source, 'father_dead' AS kind, f_death_source AS ref, f_death AS ev_date,
    CAST(NULL AS DECIMAL(18, 2)) AS amount, CAST(NULL AS INTEGER) AS n
  FROM hit WHERE f_death IS NOT NULL
  UNION ALL
  SELECT id_number, 'deaths', 'mother_dead', m_death_source, m_death, NULL, NULL FROM hit WHERE m_death IS NOT NULL
  UNION ALL
  SELECT id_number, 'justice', 'father_' || f_event, NULL, f_event_date, NULL, NULL FROM hit WHERE f_event IS NOT NULL
  UNION ALL
  SELECT id_number, 'justice', 'mother_' || m_event, NULL, m_event_date, NULL, NULL FROM hit WHERE m_event IS NOT NULL
  UNION ALL
  SELECT id_number, 'disability_certs', 'father_severe_disability', f_cert_no, f_cert_date, NULL, f_grade
  FROM hit WHERE f_grade IS NOT NULL AND f_absent = 0
  UNION ALL
  SELECT id_number, 'disability_certs', 'mother_severe_disability', m_cert_no, m_cert_date, NULL, m_grade
  FROM hit WHERE m_grade IS NOT NULL AND m_absent = 0
)
